#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { builtinComponents } from '../components.js';
import { ConfigError } from '../config/config-error.js';
import { renderConfigReference } from '../config/config-reference.js';
import { loadConfigFile } from '../config/load-config.js';
import { Service } from '../service/service.js';
import { createLogger } from '../telemetry/logger.js';
import { GATE_USAGE, runGateCommand } from './gate-commands.js';

// The only module that reads argv and calls process.exit.

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_CONFIG = resolve(packageRoot, 'config', 'corrgate.yaml');

const USAGE = `usage: corrgate <command> [options]

commands:
  serve     [--config FILE]   run the service (default config: ${DEFAULT_CONFIG})
  validate  [--config FILE]   check a config file and exit 0 if it is valid
  reference [--update FILE]   print the configuration reference (Markdown) of every component,
                              or replace the generated block of FILE with it
  version                     print the version
  gate      open|status|wait|explain|evaluate|close|abort   drive gates over the control API
  check     ID                Nagios/Icinga plugin for a gate

${GATE_USAGE}

options:
  -c, --config FILE  the YAML configuration
  -h, --help         this text
`;

const BEGIN = '<!-- generated: corrgate reference -->\n';
const END = '<!-- end generated -->';

function replaceGeneratedBlock(path: string, content: string): void {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path} has no "${BEGIN.trim()}" ... "${END}" block`);
  writeFileSync(path, text.slice(0, start + BEGIN.length) + content + text.slice(end));
}

function version(): string {
  return (JSON.parse(readFileSync(resolve(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'gate' || argv[0] === 'check') {
    return runGateCommand(argv[0], argv.slice(1), {
      out: (t) => void process.stdout.write(t),
      err: (t) => void process.stderr.write(t),
      tty: process.stdout.isTTY === true,
      env: process.env,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      now: Date.now,
    });
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' }, update: { type: 'string' } },
    });
  } catch (err) {
    process.stderr.write(`corrgate: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command] = parsed.positionals;
  if (parsed.values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !parsed.values.help ? 2 : 0;
  }
  const configPath = resolve(parsed.values.config ?? DEFAULT_CONFIG);
  switch (command) {
    case 'version':
      process.stdout.write(`corrgate ${version()}\n`);
      return 0;
    case 'reference': {
      const reference = renderConfigReference(builtinComponents());
      if (parsed.values.update === undefined) {
        process.stdout.write(reference);
        return 0;
      }
      try {
        replaceGeneratedBlock(parsed.values.update, reference);
      } catch (err) {
        process.stderr.write(`corrgate: ${(err as Error).message}\n`);
        return 1;
      }
      process.stdout.write(`${parsed.values.update}: configuration reference updated\n`);
      return 0;
    }
    case 'validate':
      try {
        const config = loadConfigFile(configPath, builtinComponents());
        process.stdout.write(`${configPath}: valid (${config.pipelines.size} pipelines: ${[...config.pipelines.keys()].join(', ')})\n`);
        return 0;
      } catch (err) {
        process.stderr.write(`corrgate: ${(err as Error).message}\n`);
        return 1;
      }
    case 'serve':
      return serve(configPath);
    default:
      process.stderr.write(`corrgate: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function serve(configPath: string): Promise<number> {
  let config;
  try {
    config = loadConfigFile(configPath, builtinComponents());
  } catch (err) {
    process.stderr.write(`corrgate: ${err instanceof ConfigError ? err.message : String(err)}\n`);
    return 1;
  }
  const logger = createLogger(config.telemetry.logs.level);
  const service = new Service(config, logger);
  try {
    await service.start();
  } catch (err) {
    logger.fatal({ err }, 'corrgate could not start');
    process.stderr.write(`corrgate: ${(err as Error).message}\n`);
    return 1;
  }
  return new Promise<number>((resolveExit) => {
    let signalled = false;
    const stop = (signal: NodeJS.Signals) => {
      if (signalled) {
        logger.warn({ signal }, 'second signal: exiting without finishing the drain');
        resolveExit(1);
        return;
      }
      signalled = true;
      logger.info({ signal }, 'stopping: no new data is taken; draining queues and flushing exporters');
      service.shutdown().then(
        () => resolveExit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          resolveExit(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Servers are closed by now; exit explicitly so a lingering client socket cannot keep us alive.
    setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`corrgate: unexpected failure: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(3);
  },
);
