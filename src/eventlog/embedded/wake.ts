/**
 * In-process wake-up: an append notifies the subscriptions of the same file in this process
 * at once, so local delivery does not wait for the next poll. Other processes notice through
 * SQLite's `data_version`, which changes when another connection commits.
 */
type Listener = () => void;
const byFile = new Map<string, Set<Listener>>();

export function onAppend(file: string, listener: Listener): () => void {
  let set = byFile.get(file);
  if (!set) byFile.set(file, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) byFile.delete(file);
  };
}

export function notifyAppend(file: string): void {
  const set = byFile.get(file);
  if (set) for (const l of set) l();
}
