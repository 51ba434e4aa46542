import { useEffect, useState } from 'react';

export type Theme = 'system' | 'light' | 'dark';
const STORAGE = 'switchboard.theme';

/** The chosen theme, kept in local storage and applied as `<html data-theme>` (system follows the OS). */
export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(() => {
    const saved = localStorage.getItem(STORAGE);
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  });
  useEffect(() => {
    if (theme === 'system') {
      localStorage.removeItem(STORAGE);
      delete document.documentElement.dataset.theme;
    } else {
      localStorage.setItem(STORAGE, theme);
      document.documentElement.dataset.theme = theme;
    }
  }, [theme]);
  return [theme, setTheme];
}
