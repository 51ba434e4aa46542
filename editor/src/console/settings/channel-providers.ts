/**
 * The connect form of each provider, as data: which kinds it carries and its fields, each going to
 * the channel's `config` (shown back) or `credentials` (sealed, never shown). Mirrors
 * activities/providers/config.ts, whose schemas the API validates against; the API names any field
 * this gets wrong.
 */
export interface ProviderField {
  key: string;
  label: string;
  to: 'config' | 'credentials';
  type: 'text' | 'password' | 'number' | 'checkbox' | 'list';
  required?: boolean;
  placeholder?: string;
  hint?: string;
}

export interface ProviderForm {
  provider: string;
  label: string;
  kinds: readonly string[];
  fields: readonly ProviderField[];
  note?: string;
}

export const PROVIDER_FORMS: readonly ProviderForm[] = [
  {
    provider: 'sandbox',
    label: 'Sandbox (simulated customers)',
    kinds: ['sms', 'whatsapp', 'voice', 'email', 'telegram', 'webchat', 'messenger', 'instagram'],
    note: 'Nothing leaves this machine; its signing key is generated for you.',
    fields: [
      { key: 'from', label: 'Sender shown', to: 'config', type: 'text', placeholder: '+15005550006' },
      { key: 'replyDelayMs', label: 'Reply delay (ms)', to: 'config', type: 'number', placeholder: '1500' },
    ],
  },
  {
    provider: 'twilio',
    label: 'Twilio',
    kinds: ['sms', 'whatsapp', 'voice'],
    fields: [
      { key: 'accountSid', label: 'Account SID', to: 'config', type: 'text', required: true, placeholder: 'AC…' },
      { key: 'from', label: 'From number', to: 'config', type: 'text', placeholder: '+14155550123' },
      {
        key: 'messagingServiceSid',
        label: 'Messaging Service SID',
        to: 'config',
        type: 'text',
        placeholder: 'MG…',
        hint: 'Instead of a From number.',
      },
      { key: 'authToken', label: 'Auth token', to: 'credentials', type: 'password', required: true },
    ],
  },
  {
    provider: 'meta',
    label: 'Meta (WhatsApp Cloud, Messenger, Instagram)',
    kinds: ['whatsapp', 'messenger', 'instagram'],
    fields: [
      {
        key: 'senderId',
        label: 'Sender ID',
        to: 'config',
        type: 'text',
        required: true,
        hint: 'The phone number ID, page ID or Instagram user ID.',
      },
      { key: 'apiVersion', label: 'Graph API version', to: 'config', type: 'text', placeholder: 'v21.0' },
      { key: 'accessToken', label: 'Access token', to: 'credentials', type: 'password', required: true },
      { key: 'appSecret', label: 'App secret', to: 'credentials', type: 'password', required: true },
      { key: 'verifyToken', label: 'Verify token', to: 'credentials', type: 'password', required: true },
    ],
  },
  {
    provider: 'smtp',
    label: 'Email (SMTP)',
    kinds: ['email'],
    note: 'The inbound-email token is generated for you.',
    fields: [
      { key: 'host', label: 'SMTP host', to: 'config', type: 'text', required: true, placeholder: 'smtp.example.com' },
      { key: 'port', label: 'Port', to: 'config', type: 'number', placeholder: '587' },
      { key: 'secure', label: 'Implicit TLS (port 465)', to: 'config', type: 'checkbox' },
      { key: 'from', label: 'From address', to: 'config', type: 'text', required: true, placeholder: 'help@acme.test' },
      { key: 'user', label: 'User name', to: 'credentials', type: 'text' },
      { key: 'pass', label: 'Password', to: 'credentials', type: 'password' },
    ],
  },
  {
    provider: 'telegram',
    label: 'Telegram bot',
    kinds: ['telegram'],
    fields: [
      { key: 'botUsername', label: 'Bot user name', to: 'config', type: 'text' },
      {
        key: 'botToken',
        label: 'Bot token',
        to: 'credentials',
        type: 'password',
        required: true,
        placeholder: '123456:ABC…',
      },
    ],
  },
  {
    provider: 'webchat',
    label: 'Web chat widget',
    kinds: ['webchat'],
    fields: [
      { key: 'title', label: 'Widget title', to: 'config', type: 'text', placeholder: 'Chat with us' },
      { key: 'greeting', label: 'Greeting', to: 'config', type: 'text' },
      {
        key: 'allowedOrigins',
        label: 'Allowed origins',
        to: 'config',
        type: 'list',
        hint: 'Comma-separated; any origin when empty.',
        placeholder: 'https://acme.test',
      },
    ],
  },
  {
    provider: 'vapi',
    label: 'Vapi (hosted voice agent)',
    kinds: ['voice'],
    note: 'The webhook secret is generated for you.',
    fields: [
      { key: 'phoneNumberId', label: 'Vapi phone number ID', to: 'config', type: 'text', required: true },
      { key: 'apiKey', label: 'Private API key', to: 'credentials', type: 'password', required: true },
    ],
  },
];

export type FieldValues = Record<string, string | boolean>;

/** The form's values as the API's `config` and `credentials`; empty optional fields are left out. */
export function toChannelBody(form: ProviderForm, values: FieldValues) {
  const config: Record<string, unknown> = {};
  const credentials: Record<string, unknown> = {};
  for (const f of form.fields) {
    const raw = values[f.key];
    const target = f.to === 'config' ? config : credentials;
    if (f.type === 'checkbox') {
      if (raw === true) target[f.key] = true;
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (!text) continue;
    if (f.type === 'number') target[f.key] = Number(text);
    else if (f.type === 'list')
      target[f.key] = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else target[f.key] = text;
  }
  return { config, credentials };
}
