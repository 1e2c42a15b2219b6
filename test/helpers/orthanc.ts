// Debian's Orthanc with its DICOMweb plugin as a peer for interoperability tests and benchmarks
// (/work/shared/imaging/orthanc-recipe.md). Orthanc 1.10 cannot bind to loopback only, so it is started
// only inside a private network namespace whose sole interface is `lo` (see private-network.ts), from a
// throwaway configuration in a temporary folder, with DIMSE, Lua, remote access and authentication off.
// We only talk to it over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
export const ORTHANC_DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

/** Why Orthanc cannot run here, or undefined when it can. */
export function orthancMissing(): string | undefined {
  if (!existsSync(ORTHANC_BINARY)) return `${ORTHANC_BINARY} is not installed (Debian packages orthanc, orthanc-dicomweb)`;
  if (!existsSync(ORTHANC_DICOMWEB_PLUGIN)) return `${ORTHANC_DICOMWEB_PLUGIN} is not installed (Debian package orthanc-dicomweb)`;
  return undefined;
}

/** True when this process sees no network interface but loopback (a private namespace). */
export function onlyLoopback(): boolean {
  return Object.keys(networkInterfaces()).every((name) => name === 'lo');
}

/** A DICOMweb server Orthanc may call (`DicomWeb.Servers` entry, Orthanc Book "DICOMweb plugin"). */
export interface DicomWebServerEntry {
  Url: string;
  HttpHeaders?: Record<string, string>;
}

export interface Orthanc {
  /** http://127.0.0.1:port */
  url: string;
  /** DICOMweb root, e.g. http://127.0.0.1:port/dicom-web */
  dicomweb: string;
  /** Orthanc's log so far (for failure messages). */
  log(): Promise<string>;
  /** Registers (or replaces) a remote DICOMweb server at run time: PUT /dicom-web/servers/{name}. */
  addDicomWebServer(name: string, entry: DicomWebServerEntry): Promise<void>;
  /** JSON request against Orthanc's REST API; throws with Orthanc's answer on a non-2xx status. */
  json<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Stops Orthanc (SIGTERM, SIGKILL after 10 s) and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startOrthanc(options: { port?: number; name?: string } = {}): Promise<Orthanc> {
  const missing = orthancMissing();
  if (missing) throw new Error(missing);
  // Orthanc listens on 0.0.0.0: refuse to start it anywhere but in a namespace with loopback only.
  if (!onlyLoopback()) throw new Error('Orthanc may only run inside a private network namespace (see test/helpers/private-network.ts)');
  const port = options.port ?? 18042;
  const dir = await mkdtemp(join(tmpdir(), 'his-orthanc-'));
  const config = {
    Name: options.name ?? 'peer-orthanc',
    StorageDirectory: join(dir, 'db'), IndexDirectory: join(dir, 'db'), StorageCompression: false,
    Plugins: [ORTHANC_DICOMWEB_PLUGIN],
    HttpServerEnabled: true, HttpPort: port, RemoteAccessAllowed: false,
    AuthenticationEnabled: false, RegisteredUsers: {}, HttpDescribeErrors: true,
    DicomServerEnabled: false, DicomModalities: {}, OrthancPeers: {},
    ExecuteLuaEnabled: false, RestApiWriteToFileSystemEnabled: false, OverwriteInstances: false,
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: true, WadoRoot: '/wado', Ssl: false, Servers: {} },
  };
  const configPath = join(dir, 'orthanc.json');
  const logPath = join(dir, 'orthanc.log');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const { open } = await import('node:fs/promises');
  const logFile = await open(logPath, 'w');
  const child: ChildProcess = spawn(ORTHANC_BINARY, [configPath], { stdio: ['ignore', logFile.fd, logFile.fd] });
  await logFile.close();
  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const log = () => readFile(logPath, 'utf8').catch(() => '');
  // One stop for every caller: a second call waits for the first instead of returning early.
  const stop = () => (stopping ??= (async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  })());
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`Orthanc ${method} ${path} → ${res.status}: ${text.slice(0, 2000)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  try {
    await waitUntilServing(url, child, log);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url, dicomweb: `${url}/dicom-web`, log, json, stop,
    async addDicomWebServer(name, entry) {
      await json('PUT', `/dicom-web/servers/${encodeURIComponent(name)}`, entry);
    },
  };
}

async function waitUntilServing(url: string, child: ChildProcess, log: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Orthanc exited (${child.exitCode ?? child.signalCode}): ${await log()}`);
    try {
      const res = await fetch(`${url}/system`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Orthanc did not answer within 30 s: ${await log()}`);
}
