// What the machine a benchmark ran on was, for the JSON reports of bench/*.mjs.
import os from 'node:os';

export function hostInfo() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? null,
    cpus: cpus.length,
    totalMemMB: Math.round(os.totalmem() / (1024 * 1024)),
    loadAverageAtEnd: os.loadavg(),
  };
}
