/**
 * Time-zone tables for `inferTimeZone` (normalize.ts). A contact's zone is a best guess from the
 * number: the country when it has one zone, the area code for NANP and the multi-zone countries
 * below. Mobile ranges that carry no geography answer null.
 */

/** Countries where (nearly) everyone lives in one zone → that zone. Covers the most populous countries. */
export const COUNTRY_ZONES: Readonly<Record<string, string>> = {
  CN: 'Asia/Shanghai',
  IN: 'Asia/Kolkata',
  PK: 'Asia/Karachi',
  NG: 'Africa/Lagos',
  BD: 'Asia/Dhaka',
  ET: 'Africa/Addis_Ababa',
  JP: 'Asia/Tokyo',
  PH: 'Asia/Manila',
  EG: 'Africa/Cairo',
  VN: 'Asia/Ho_Chi_Minh',
  IR: 'Asia/Tehran',
  TR: 'Europe/Istanbul',
  DE: 'Europe/Berlin',
  TH: 'Asia/Bangkok',
  GB: 'Europe/London',
  FR: 'Europe/Paris',
  TZ: 'Africa/Dar_es_Salaam',
  ZA: 'Africa/Johannesburg',
  IT: 'Europe/Rome',
  KE: 'Africa/Nairobi',
  MM: 'Asia/Yangon',
  CO: 'America/Bogota',
  KR: 'Asia/Seoul',
  SD: 'Africa/Khartoum',
  UG: 'Africa/Kampala',
  ES: 'Europe/Madrid',
  DZ: 'Africa/Algiers',
  IQ: 'Asia/Baghdad',
  AF: 'Asia/Kabul',
  PL: 'Europe/Warsaw',
  MA: 'Africa/Casablanca',
  SA: 'Asia/Riyadh',
  UA: 'Europe/Kyiv',
  AO: 'Africa/Luanda',
  UZ: 'Asia/Tashkent',
  YE: 'Asia/Aden',
  PE: 'America/Lima',
  MY: 'Asia/Kuala_Lumpur',
  GH: 'Africa/Accra',
  MZ: 'Africa/Maputo',
  NP: 'Asia/Kathmandu',
  VE: 'America/Caracas',
  MG: 'Indian/Antananarivo',
  CI: 'Africa/Abidjan',
  CM: 'Africa/Douala',
  KP: 'Asia/Pyongyang',
  TW: 'Asia/Taipei',
  NE: 'Africa/Niamey',
  LK: 'Asia/Colombo',
  BF: 'Africa/Ouagadougou',
  ML: 'Africa/Bamako',
  RO: 'Europe/Bucharest',
  CL: 'America/Santiago',
  MW: 'Africa/Blantyre',
  KZ: 'Asia/Almaty',
  ZM: 'Africa/Lusaka',
  SY: 'Asia/Damascus',
  EC: 'America/Guayaquil',
  NL: 'Europe/Amsterdam',
  SN: 'Africa/Dakar',
  GT: 'America/Guatemala',
  TD: 'Africa/Ndjamena',
  SO: 'Africa/Mogadishu',
  ZW: 'Africa/Harare',
  KH: 'Asia/Phnom_Penh',
  SS: 'Africa/Juba',
  RW: 'Africa/Kigali',
  GN: 'Africa/Conakry',
  BI: 'Africa/Bujumbura',
  BJ: 'Africa/Porto-Novo',
  BO: 'America/La_Paz',
  TN: 'Africa/Tunis',
  HT: 'America/Port-au-Prince',
  BE: 'Europe/Brussels',
  CU: 'America/Havana',
  JO: 'Asia/Amman',
  GR: 'Europe/Athens',
  CZ: 'Europe/Prague',
  DO: 'America/Santo_Domingo',
  SE: 'Europe/Stockholm',
  PT: 'Europe/Lisbon',
  AZ: 'Asia/Baku',
  HU: 'Europe/Budapest',
  AE: 'Asia/Dubai',
  HN: 'America/Tegucigalpa',
  BY: 'Europe/Minsk',
  IL: 'Asia/Jerusalem',
  TJ: 'Asia/Dushanbe',
  PG: 'Pacific/Port_Moresby',
  AT: 'Europe/Vienna',
  CH: 'Europe/Zurich',
  SL: 'Africa/Freetown',
  TG: 'Africa/Lome',
  HK: 'Asia/Hong_Kong',
  LA: 'Asia/Vientiane',
  PY: 'America/Asuncion',
  LY: 'Africa/Tripoli',
  RS: 'Europe/Belgrade',
  SV: 'America/El_Salvador',
  NI: 'America/Managua',
  LB: 'Asia/Beirut',
  KG: 'Asia/Bishkek',
  TM: 'Asia/Ashgabat',
  DK: 'Europe/Copenhagen',
  SG: 'Asia/Singapore',
  FI: 'Europe/Helsinki',
  CG: 'Africa/Brazzaville',
  SK: 'Europe/Bratislava',
  NO: 'Europe/Oslo',
  OM: 'Asia/Muscat',
  CR: 'America/Costa_Rica',
  LR: 'Africa/Monrovia',
  IE: 'Europe/Dublin',
  NZ: 'Pacific/Auckland',
  PA: 'America/Panama',
  KW: 'Asia/Kuwait',
  HR: 'Europe/Zagreb',
  GE: 'Asia/Tbilisi',
  UY: 'America/Montevideo',
  BA: 'Europe/Sarajevo',
  PR: 'America/Puerto_Rico',
  MN: 'Asia/Ulaanbaatar',
  AM: 'Asia/Yerevan',
  JM: 'America/Jamaica',
  QA: 'Asia/Qatar',
  AL: 'Europe/Tirane',
  LT: 'Europe/Vilnius',
  NA: 'Africa/Windhoek',
  GM: 'Africa/Banjul',
  BW: 'Africa/Gaborone',
  GA: 'Africa/Libreville',
  LS: 'Africa/Maseru',
  SI: 'Europe/Ljubljana',
  MK: 'Europe/Skopje',
  LV: 'Europe/Riga',
  GW: 'Africa/Bissau',
  BH: 'Asia/Bahrain',
  EE: 'Europe/Tallinn',
  TT: 'America/Port_of_Spain',
  CY: 'Asia/Nicosia',
  MU: 'Indian/Mauritius',
  LU: 'Europe/Luxembourg',
  IS: 'Atlantic/Reykjavik',
  MT: 'Europe/Malta',
  BN: 'Asia/Brunei',
  MV: 'Indian/Maldives',
  BS: 'America/Nassau',
  BB: 'America/Barbados',
  GU: 'Pacific/Guam',
  AR: 'America/Argentina/Buenos_Aires',
  ER: 'Africa/Asmara',
  MR: 'Africa/Nouakchott',
  DJ: 'Africa/Djibouti',
  FJ: 'Pacific/Fiji',
  GY: 'America/Guyana',
  SR: 'America/Paramaribo',
  BZ: 'America/Belize',
  ME: 'Europe/Podgorica',
  BG: 'Europe/Sofia',
  MD: 'Europe/Chisinau',
  CV: 'Atlantic/Cape_Verde',
  SZ: 'Africa/Mbabane',
  KM: 'Indian/Comoro',
  BT: 'Asia/Thimphu',
  TL: 'Asia/Dili',
  MO: 'Asia/Macau',
};

const zones = (table: Record<string, string>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [zone, codes] of Object.entries(table))
    for (const code of codes.split(/\s+/).filter(Boolean)) out[code] = zone;
  return out;
};

/**
 * Every US and Canadian geographic area code → the zone where most of its subscribers live
 * (split codes take the larger side: 850 Florida panhandle → Central, 208 Idaho → Boise,
 * 605 South Dakota → Central, 807 NW Ontario → Thunder Bay, Eastern). Toll-free and
 * non-geographic codes (800, 888, 500, 900, …) are absent on purpose.
 */
export const NANP_AREA_CODE_ZONES: Readonly<Record<string, string>> = zones({
  'America/New_York': `
    203 475 860 959 302 202 771
    239 305 321 324 352 386 407 561 645 656 689 727 728 754 772 786 813 863 904 941 954
    229 404 470 478 678 706 762 770 912 943
    502 606 859 207 227 240 301 410 443 667
    339 351 413 508 617 774 781 857 978 603
    201 551 609 640 732 848 856 862 908 973
    212 315 329 332 347 363 516 518 585 607 624 631 646 680 716 718 838 845 914 917 929 934
    252 336 472 704 743 828 910 919 980 984
    216 220 234 283 326 330 380 419 436 440 513 567 614 740 937
    215 223 267 272 412 445 484 570 582 610 717 724 814 835 878
    401 803 821 839 843 854 864 423 729 865 802
    276 434 540 571 686 703 757 804 826 948 304 681`,
  'America/Detroit': '231 248 269 313 517 586 616 679 734 810 906 947 989',
  'America/Indiana/Indianapolis': '260 317 463 574 765 812 930',
  'America/Chicago': `
    850 448 219 270 364
    205 251 256 334 483 659 938 327 479 501 870
    217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 861 872
    319 515 563 641 712 316 620 785 913
    225 318 337 457 504 985 218 320 507 612 651 763 924 952
    228 601 662 769 235 314 417 557 573 636 660 816 975
    308 402 531 701 405 539 572 580 918 605
    615 629 731 901 931
    210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 936 940 945 956 972 979
    262 274 353 414 534 608 715 920`,
  'America/Denver': '915 303 719 720 970 983 406 505 575 385 435 801 307',
  'America/Boise': '208 986',
  'America/Phoenix': '480 520 602 623 928',
  'America/Los_Angeles': `
    209 213 279 310 323 341 350 369 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669
    707 714 747 760 805 818 820 831 840 858 909 916 925 949 951
    702 725 775 458 503 541 971 206 253 360 425 509 564`,
  'America/Anchorage': '907',
  'Pacific/Honolulu': '808',
  'America/Vancouver': '236 250 257 604 672 778',
  'America/Edmonton': '368 403 587 780 825',
  'America/Regina': '306 474 639',
  'America/Winnipeg': '204 431 584',
  'America/Toronto': `
    226 249 289 343 365 382 387 416 437 519 548 613 647 683 705 742 753 807 905 942
    263 354 367 418 438 450 468 514 579 581 819 873`,
  'America/Moncton': '428 506',
  'America/Halifax': '782 902',
  'America/St_Johns': '709 879',
  'America/Whitehorse': '867',
});

/**
 * Multi-zone countries: prefixes of the national (significant) number → zone, longest prefix wins.
 * Mobile ranges (AU 4, RU 9, ID 8) have no geography and are absent, so they answer null.
 */
export const REGIONAL_PREFIX_ZONES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  AU: {
    '2': 'Australia/Sydney',
    '3': 'Australia/Melbourne',
    '36': 'Australia/Hobart',
    '7': 'Australia/Brisbane',
    '8': 'Australia/Adelaide',
    '86': 'Australia/Perth',
    '89': 'Australia/Perth',
    '889': 'Australia/Darwin',
  },
  BR: zones({
    'America/Sao_Paulo':
      '11 12 13 14 15 16 17 18 19 21 22 24 27 28 31 32 33 34 35 37 38 41 42 43 44 45 46 47 48 49 51 53 54 55 61 62 64 71 73 74 75 77 79',
    'America/Recife': '81 87',
    'America/Maceio': '82',
    'America/Fortaleza': '83 84 85 86 88 89',
    'America/Belem': '91 93 94 96 98 99',
    'America/Araguaina': '63',
    'America/Cuiaba': '65 66',
    'America/Campo_Grande': '67',
    'America/Rio_Branco': '68',
    'America/Porto_Velho': '69',
    'America/Manaus': '92 97',
    'America/Boa_Vista': '95',
  }),
  MX: {
    // Everything not listed (Mexico City 55/56, Guadalajara 33, Monterrey 81, …) is Central time.
    '': 'America/Mexico_City',
    ...zones({
      'America/Tijuana': '664 686 646 665 661',
      'America/Hermosillo': '662 644 631 642 622 633 634 637 638 641 643 645 647 653',
      'America/Mazatlan': '667 669 668 687 672 673 694 696 697 698 612 624 613 615 311 319 323 324 325 327 389',
      'America/Cancun': '998 983 984 987',
      'America/Chihuahua': '614 625 626 627 628 629 635 636 639 648 649',
      'America/Ciudad_Juarez': '656',
    }),
  },
  RU: {
    '3': 'Asia/Yekaterinburg',
    '30': 'Asia/Irkutsk',
    '302': 'Asia/Chita',
    '38': 'Asia/Novosibirsk',
    '381': 'Asia/Omsk',
    '382': 'Asia/Tomsk',
    '384': 'Asia/Novokuznetsk',
    '385': 'Asia/Barnaul',
    '39': 'Asia/Krasnoyarsk',
    '395': 'Asia/Irkutsk',
    '4': 'Europe/Moscow',
    '401': 'Europe/Kaliningrad',
    '411': 'Asia/Yakutsk',
    '413': 'Asia/Magadan',
    '415': 'Asia/Kamchatka',
    '416': 'Asia/Yakutsk',
    '42': 'Asia/Vladivostok',
    '424': 'Asia/Sakhalin',
    '427': 'Asia/Anadyr',
    '8': 'Europe/Moscow',
    '842': 'Europe/Ulyanovsk',
    '844': 'Europe/Volgograd',
    '845': 'Europe/Saratov',
    '846': 'Europe/Samara',
    '848': 'Europe/Samara',
    '851': 'Europe/Astrakhan',
  },
  ID: {
    '2': 'Asia/Jakarta',
    '3': 'Asia/Jakarta',
    '36': 'Asia/Makassar',
    '37': 'Asia/Makassar',
    '38': 'Asia/Makassar',
    '4': 'Asia/Makassar',
    '5': 'Asia/Makassar',
    '53': 'Asia/Pontianak',
    '56': 'Asia/Pontianak',
    '6': 'Asia/Jakarta',
    '7': 'Asia/Jakarta',
    '9': 'Asia/Jayapura',
  },
};
