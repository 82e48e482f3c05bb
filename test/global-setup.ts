import { spawnSync } from 'node:child_process';

// Tests that run corrgate as a real process (signals, exit codes) use the built CLI, so the suite
// builds it once first. In CI a type error fails the run here; locally it is reported and the
// tests that need the build will show what is wrong.
export default function setup(): void {
  const res = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (res.status === 0) return;
  const message = `the TypeScript build failed:\n${res.stdout}${res.stderr}`;
  if (process.env.CI) throw new Error(message);
  process.stderr.write(`warning: ${message}\n`);
}
