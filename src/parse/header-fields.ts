/**
 * The `key=value` fields of a header line (`# pyflame-trace v1 clock=boot_ns python=/opt/my
 * python/bin/python3`, the spool's): a value runs to the next ` key=`, so it may hold spaces.
 */
export function headerFields(line: string): [key: string, value: string][] {
  return [...line.matchAll(/([A-Za-z_][\w-]*)=(.*?)(?=\s+[A-Za-z_][\w-]*=|\s*$)/g)].map((m) => [m[1]!, m[2]!]);
}
