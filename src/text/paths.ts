// Source paths and input paths as people read them in reports and titles.

const STDLIB = /^(.*[\\/])?lib(?:64)?[\\/]python\d+(?:\.\d+)?t?[\\/](.*)$/i;
const SITE = /^(.*[\\/])?(?:site|dist)-packages[\\/](.*)$/i;
const INIT = /^__(init|main)__\.py$/;

/**
 * A source file shortened for a table: site-packages and standard-library files keep a short
 * prefix and their path inside it (`<site>/requests/api.py`, `<stdlib>/json/decoder.py`); other
 * files keep their basename (`threads.py`), or `package/__init__.py` for a package's init.
 * Frozen modules keep their last dotted name (`<frozen importlib._bootstrap>` → `<frozen _bootstrap>`);
 * other `<...>` names stay as they are. Give it the raw name (escaped backslashes would read as
 * separators) and escape the result for where it lands.
 */
export function shortenFile(file: string): string {
  if (file === '') return '?';
  const frozen = /^<frozen (?:[\w.]*\.)?([^.\s>]+)>$/.exec(file);
  if (frozen !== null) return `<frozen ${frozen[1]}>`;
  if (file.startsWith('<') && file.endsWith('>')) return file;
  const site = SITE.exec(file);
  if (site !== null) return `<site>/${site[2]}`;
  const stdlib = STDLIB.exec(file);
  if (stdlib !== null) return `<stdlib>/${stdlib[2]}`;
  const parts = file.split(/[\\/]/).filter((part) => part !== '');
  const base = parts[parts.length - 1] ?? file;
  if (INIT.test(base) && parts.length >= 2) return `${parts[parts.length - 2]}/${base}`;
  return base;
}

/**
 * The default title of a graph or page drawn from an input: the input path's last part, with
 * either separator (`C:\runs\a.txt` → `a.txt`); `fallback` when there is none.
 */
export function titleFromPath(path: string, fallback = 'trace'): string {
  const last = path.replace(/\\/g, '/').split('/').pop();
  return last === undefined || last === '' ? fallback : last;
}
