import { useCallback, useEffect, useMemo, useState } from 'react';
import { credentialsFor, loadSession, type StoredSession, saveSession } from './auth';
import type { AreaProps } from './console/area';
import { CampaignsArea } from './console/campaigns';
import { ContactsArea } from './console/contacts';
import { DashboardsArea } from './console/dashboards';
import { InboxArea } from './console/inbox';
import { KnowledgeArea } from './console/knowledge';
import { SessionProvider, useSession } from './console/session';
import { SettingsArea } from './console/settings';
import { BrandMark } from './console/settings/branding';
import { OnboardingChecklist } from './console/settings/onboarding-checklist';
import { ToastProvider } from './console/ui';
import { FlowEditor } from './flow-editor';
import { FlowsList } from './flows-list';
import { type Area, type Route, useRoute } from './router';
import { SignInPage } from './sign-in';
import { type Theme, useTheme } from './theme';

const AREA_PAGES: Record<Area, (props: AreaProps) => React.JSX.Element> = {
  campaigns: CampaignsArea,
  inbox: InboxArea,
  contacts: ContactsArea,
  knowledge: KnowledgeArea,
  dashboards: DashboardsArea,
  settings: SettingsArea,
};

const NAV: ReadonlyArray<{ href: string; label: string; matches: (r: Route) => boolean }> = [
  { href: '#/', label: 'Flows', matches: (r) => r.page !== 'console' },
  ...(['campaigns', 'inbox', 'contacts', 'knowledge', 'dashboards', 'settings'] as const).map((area) => ({
    href: `#/${area}`,
    label: area[0]?.toUpperCase() + area.slice(1),
    matches: (r: Route) => r.page === 'console' && r.area === area,
  })),
];

export function App() {
  const [session, setSession] = useState<StoredSession | null>(() => loadSession());
  const signOut = useCallback(() => {
    saveSession(null);
    setSession(null);
  }, []);
  // Built once per sign-in: renewing a person's token must not re-create every screen's client.
  const credentials = useMemo(() => (session ? credentialsFor(session, signOut) : null), [session, signOut]);
  const user = useMemo(
    () => (session?.kind === 'user' ? { name: session.tokens.user.name, email: session.tokens.user.email } : null),
    [session],
  );
  if (!session || !credentials) {
    return (
      <SignInPage
        onSignIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  return (
    <SessionProvider credentials={credentials} user={user}>
      <ToastProvider>
        <Shell
          onSignOut={() => {
            // A person's session ends on the server too, so its refresh token is useless if copied.
            if (session.kind === 'user')
              void fetch('/v1/auth/logout', {
                method: 'POST',
                headers: { Authorization: credentials.authorization() },
              }).catch(() => undefined);
            signOut();
          }}
        />
      </ToastProvider>
    </SessionProvider>
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { api } = useSession();
  const route = useRoute();
  const [theme, setTheme] = useTheme();
  const [navOpen, setNavOpen] = useState(false);
  // A tablet's narrow nav folds away after a choice.
  // biome-ignore lint/correctness/useExhaustiveDependencies: closes on every route change.
  useEffect(() => setNavOpen(false), [route]);
  const AreaPage = route.page === 'console' ? AREA_PAGES[route.area] : null;
  return (
    <div className="shell">
      {/* A button, not `href="#main-content"`: the hash is the router's. */}
      <button type="button" className="skip-link" onClick={() => document.getElementById('main-content')?.focus()}>
        Skip to content
      </button>
      <header className="topbar">
        <button
          type="button"
          className="nav-toggle"
          aria-label="Menu"
          aria-expanded={navOpen}
          aria-controls="main-nav"
          onClick={() => setNavOpen((o) => !o)}
        >
          ☰
        </button>
        <BrandMark />
        <span className="spacer" />
        <label className="theme-picker">
          <span className="visually-hidden">Theme</span>
          <select aria-label="Theme" value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
            <option value="system">System theme</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <div className="shell-body">
        <nav id="main-nav" className={navOpen ? 'sidenav open' : 'sidenav'} aria-label="Main">
          {NAV.map((item) => (
            <a key={item.href} href={item.href} aria-current={item.matches(route) ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <div id="main-content" className="shell-main" tabIndex={-1}>
          {route.page === 'console' && <OnboardingChecklist />}
          {route.page === 'flow' ? (
            <FlowEditor
              key={`${route.flowId}:${route.runId ?? ''}`}
              api={api}
              flowId={route.flowId}
              runId={route.runId}
            />
          ) : AreaPage && route.page === 'console' ? (
            <AreaPage rest={route.rest} query={route.query} />
          ) : (
            <FlowsList api={api} />
          )}
        </div>
      </div>
    </div>
  );
}
