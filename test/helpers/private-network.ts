// Runs a script inside a private network namespace (only `lo`, brought up) and a private PID namespace,
// so that Orthanc — which cannot bind to loopback only — is reachable by nothing outside, and so that
// everything the script started dies with it: when the script (PID 1 there) exits, the kernel kills the
// rest. The script gets its input as JSON in argv[2], prints `RESULT <json>` on stdout, and must exit
// when its stdin closes (the parent went away).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repository = fileURLToPath(new URL('../../', import.meta.url));

/** Why a private network namespace cannot be made here, or undefined when it can. */
export function privateNetworkMissing(): string | undefined {
  const probe = spawnSync('unshare', ['--net', '--pid', '--fork', '--kill-child', '--', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (probe.error) return `unshare is not available: ${probe.error.message}`;
  if (probe.status !== 0) return `cannot create a private network namespace (needs root or user namespaces): ${probe.stderr.trim()}`;
  return undefined;
}

/**
 * PostgreSQL on 127.0.0.1 is out of reach from inside the namespace; its Unix socket (same file system)
 * is not. Rewrites such a connection string to go through the socket folder.
 */
export function throughUnixSocket(databaseUrl: string | undefined, socketDir = '/var/run/postgresql'): string | undefined {
  if (!databaseUrl) return databaseUrl;
  const url = new URL(databaseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.searchParams.has('host')) return databaseUrl;
  url.searchParams.set('host', socketDir);
  return url.toString();
}

export interface PrivateRun<T> {
  child: ChildProcess;
  result: Promise<T>;
  /** Closes the script's stdin (asking it to clean up and exit) and waits; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function runInPrivateNetwork<T>(script: string, input: unknown, env: NodeJS.ProcessEnv = process.env): PrivateRun<T> {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn('unshare', ['--net', '--pid', '--fork', '--kill-child', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh',
    process.execPath, '--import', 'tsx', path, JSON.stringify(input)], { cwd: repository, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const result = new Promise<T>((resolve, reject) => {
    let found = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('RESULT ')) {
        found = true;
        resolve(JSON.parse(line.slice('RESULT '.length)) as T);
      } else process.stderr.write(`${line}\n`);
    });
    child.once('exit', (code, signal) => {
      if (!found) reject(new Error(`${script} ended (${code ?? signal}) without a result:\n${stderr.slice(-8000)}`));
    });
  });
  return {
    child, result,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(killer);
    },
  };
}
