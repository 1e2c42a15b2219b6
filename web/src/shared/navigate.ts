// In-app navigation without a reload: the history entry changes and the shell (main.tsx) hears
// `open-his:navigate` and routes again.

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  dispatchEvent(new Event('open-his:navigate'));
}
