import { createHash } from 'node:crypto';
import type { AvailableNumber, NumberProvider, OwnedNumber } from '../providers/types';

const CALLING_CODES: Record<string, string> = { US: '1', CA: '1', GB: '44', DE: '49', FR: '33', AU: '61', IN: '91' };
const ALL = { voice: true, sms: true, mms: true };

/**
 * Phone numbers on the sandbox network: a deterministic inventory per query (Twilio's 555 test
 * range for North America), bought and released in memory. Numbers never ring anywhere real; the
 * PhoneNumber rows the API keeps are what routes inbound sandbox calls.
 */
export class SandboxNumberProvider implements NumberProvider {
  private readonly owned = new Map<string, OwnedNumber>();

  constructor(private readonly channelId: string) {}

  async searchAvailable(query: {
    country: string;
    areaCode?: string;
    contains?: string;
    limit?: number;
  }): Promise<AvailableNumber[]> {
    const code = CALLING_CODES[query.country.toUpperCase()] ?? '1';
    const area = query.areaCode ?? '500';
    const limit = query.limit ?? 10;
    const seed = createHash('sha256').update(`${this.channelId}:${query.country}:${area}`).digest();
    const out: AvailableNumber[] = [];
    for (let i = 0; out.length < limit && i < 500; i++) {
      const line = String((seed.readUInt16BE(i % 30) + i * 7919) % 10_000).padStart(4, '0');
      const e164 = `+${code}${area}555${line}`;
      if (query.contains && !e164.includes(query.contains.replace(/\D/g, ''))) continue;
      if (out.some((n) => n.e164 === e164)) continue;
      out.push({ e164, locality: 'Sandbox', region: query.country.toUpperCase(), capabilities: ALL });
    }
    return out;
  }

  async buy(e164: string): Promise<OwnedNumber> {
    const owned = this.owned.get(e164) ?? {
      e164,
      providerSid: `PN${createHash('sha256').update(`${this.channelId}:${e164}`).digest('hex').slice(0, 32)}`,
      locality: 'Sandbox',
      capabilities: ALL,
    };
    this.owned.set(e164, owned);
    return owned;
  }

  async release(providerSid: string): Promise<void> {
    for (const [e164, n] of this.owned) if (n.providerSid === providerSid) this.owned.delete(e164);
  }

  async list(): Promise<OwnedNumber[]> {
    return [...this.owned.values()];
  }
}
