/**
 * The package as a user gets it: `npm run build`, `npm pack`, then `npm install` of the
 * tarball into a temporary consumer project, offline and with an empty npm cache (so
 * nothing can come from the network or from a cache). The dev tools the journeys need
 * (rxjs and redis as the peers, ws as a foreign client, typescript and @types/node) are linked from
 * the repository's node_modules.
 *
 * Built, packed and installed once per process: every journey and docs test file running
 * in `npm test` (one process, test/run.ts) shares the same tarball and project. The
 * directory is removed when the process exits.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One file in `npm pack --json`'s report. */
export interface PackedFile {
  path: string;
  size: number;
  mode: number;
}

/** `npm pack --json`'s report of one tarball (the same shape as `--dry-run --json`). */
export interface PackReport {
  name: string;
  version: string;
  filename: string;
  /** Bytes of the .tgz. */
  size: number;
  /** Bytes of its files, uncompressed. */
  unpackedSize: number;
  entryCount: number;
  files: PackedFile[];
}

export interface PackedPackage {
  /** The repository the package was built from. */
  root: string;
  /** What npm reported for the tarball. */
  report: PackReport;
  tarball: string;
  /** A consumer project (`"type": "module"`) with wspipe installed from the tarball. */
  project: string;
  /** `<project>/node_modules/wspipe`: the installed package. */
  installed: string;
  /** The repository's TypeScript compiler, to type-check consumers with. */
  tsc: string;
}

/** Linked into the consumer from the repository: what the journey programs import besides wspipe. */
const LINKED_TOOLS = ['rxjs', 'redis', 'ws', 'typescript', '@types/node'] as const;

/** Build + pack + install take about 10 s; a minute means something hangs. */
const STEP_TIMEOUT_MS = 120_000;

let packed: Promise<PackedPackage> | undefined;

/** The process's packed and installed package, made on first use. */
export function packedPackage(): Promise<PackedPackage> {
  packed ??= makePackedPackage();
  return packed;
}

async function makePackedPackage(): Promise<PackedPackage> {
  const root = process.cwd();
  const dir = await mkdtemp(join(tmpdir(), `wspipe-packed-${process.pid}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  // An empty cache of our own: an install that needed anything but the tarball fails offline.
  const env = { ...process.env, npm_config_cache: join(dir, 'npm-cache'), npm_config_update_notifier: 'false' };
  const step = async (what: string, file: string, args: readonly string[], cwd: string): Promise<string> => {
    try {
      return (await run(file, args, { cwd, env, timeout: STEP_TIMEOUT_MS, maxBuffer: 16 << 20 })).stdout;
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`${what} failed: ${(error as Error).message}\n${stdout ?? ''}\n${stderr ?? ''}`);
    }
  };

  await step('npm run build', 'npm', ['run', 'build', '--silent'], root);
  const [report] = JSON.parse(await step('npm pack', 'npm', ['pack', '--json', '--pack-destination', dir], root)) as [PackReport];
  const tarball = join(dir, report.filename);

  const project = join(dir, 'project');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'wspipe-consumer', private: true, type: 'module' }, null, 2));
  await step('npm install of the tarball', 'npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--no-package-lock'], project);

  // After the install, which would otherwise prune packages it did not put there.
  for (const tool of LINKED_TOOLS) {
    const link = join(project, 'node_modules', tool);
    await mkdir(dirname(link), { recursive: true });
    await symlink(join(root, 'node_modules', tool), link, 'dir');
  }

  const installed = join(project, 'node_modules', 'wspipe');
  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { name: string; version: string };
  if (manifest.name !== report.name || manifest.version !== report.version) {
    throw new Error(`installed ${manifest.name}@${manifest.version}, packed ${report.name}@${report.version}`);
  }
  return { root, report, tarball, project, installed, tsc: join(root, 'node_modules', 'typescript', 'bin', 'tsc') };
}
