import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinComponents } from '../../src/components.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfigFile, parseConfig } from '../../src/config/load-config.js';

const registry = builtinComponents();

function issuesOf(yaml: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    parseConfig(yaml, 'test.yaml', registry, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected the config to be rejected');
}

const minimal = `
receivers:
  otlp:
exporters:
  nop:
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [nop]
`;

describe('config loading', () => {
  it('loads the embedded defaults with both OTLP protocols on their standard ports', () => {
    const config = loadConfigFile('config/corrgate.yaml', registry);
    const otlp = config.receivers.get('otlp')!.config as { protocols: { grpc: { endpoint: unknown }; http: { endpoint: unknown } } };
    expect(otlp.protocols.grpc.endpoint).toEqual({ host: '127.0.0.1', port: 4317 });
    expect(otlp.protocols.http.endpoint).toEqual({ host: '127.0.0.1', port: 4318 });
    expect([...config.pipelines.keys()]).toEqual(['traces', 'logs']);
    expect(config.telemetry.metrics.address).toEqual({ host: '127.0.0.1', port: 8888 });
  });

  it('enables both protocols for a bare `otlp:` and fills every default, then freezes the result', () => {
    const config = parseConfig(minimal, 'test.yaml', registry, {});
    const otlp = config.receivers.get('otlp')!.config as Record<string, Record<string, Record<string, unknown>>>;
    expect(otlp.protocols!.grpc!.max_recv_msg_size_mib).toBe(4);
    expect(otlp.protocols!.http!.max_request_body_size).toBe(20 * 1024 * 1024);
    expect(config.pipelines.get('traces')!.queue).toEqual({ size: 100_000, retry_after: 1000 });
    expect(Object.isFrozen(otlp.protocols!.http)).toBe(true);
  });

  it('enables only the protocol that is named', () => {
    const config = parseConfig(minimal.replace('  otlp:\n', '  otlp:\n    protocols:\n      http:\n'), 'test.yaml', registry, {});
    const otlp = config.receivers.get('otlp')!.config as { protocols: Record<string, unknown> };
    expect(otlp.protocols.grpc).toBeUndefined();
    expect(otlp.protocols.http).toBeDefined();
  });

  it('names the path of an unknown key', () => {
    const issues = issuesOf(minimal.replace('  otlp:\n', '  otlp:\n    protocols:\n      grpc:\n        endpont: 127.0.0.1:1\n'));
    expect(issues).toContain('receivers.otlp.protocols.grpc.endpont: unknown key');
  });

  it('names the path and problem of a bad endpoint', () => {
    const issues = issuesOf(minimal.replace('  otlp:\n', '  otlp:\n    protocols:\n      http:\n        endpoint: localhost:99999\n'));
    expect(issues).toEqual(['receivers.otlp.protocols.http.endpoint: bad endpoint: port 99999 is out of range (0-65535)']);
  });

  it('names a missing cert file', () => {
    const yaml = minimal.replace(
      '  otlp:\n',
      '  otlp:\n    protocols:\n      grpc:\n        tls:\n          cert_file: /nonexistent/cert.pem\n          key_file: /nonexistent/key.pem\n',
    );
    const issues = issuesOf(yaml);
    expect(issues).toContain('receivers.otlp.protocols.grpc.tls.cert_file: cannot read file "/nonexistent/cert.pem": ENOENT');
    expect(issues).toContain('receivers.otlp.protocols.grpc.tls.key_file: cannot read file "/nonexistent/key.pem": ENOENT');
  });

  it('rejects unknown component types and undefined references, naming the pipeline entry', () => {
    const issues = issuesOf(`
receivers:
  otlp:
  kafka:
exporters:
  nop:
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [nop, otlp/backend]
    metrics:
      receivers: [otlp]
      exporters: [nop]
`);
    expect(issues.find((i) => i.startsWith('receivers.kafka: unknown receiver type "kafka" (known: '))).toMatch(/\botlp\b/);
    expect(issues).toContain('service.pipelines.traces.exporters[1]: "otlp/backend" is not defined under exporters');
    expect(issues).toContain('service.pipelines.metrics: metrics pipelines are not supported; corrgate takes traces and logs');
  });

  it('rejects unknown top-level and service keys, and undefined extensions', () => {
    const issues = issuesOf(`${minimal}  extensions: [health_check]\n  extentions: []\nconnectors: {}\n`);
    expect(issues).toContain('connectors: unknown key');
    expect(issues).toContain('service.extentions: unknown key');
    const undefinedExtension = issuesOf(`${minimal}  extensions: [health_check]\n`);
    expect(undefinedExtension).toEqual(['service.extensions[0]: "health_check" is not defined under extensions']);
  });

  it('expands ${env:VAR} with defaults and reports unset variables by path', () => {
    const yaml = minimal.replace('  otlp:\n', '  otlp:\n    protocols:\n      http:\n        endpoint: ${env:HOST:-127.0.0.1}:${env:PORT}\n');
    const config = parseConfig(yaml, 'test.yaml', registry, { PORT: '5318' });
    const otlp = config.receivers.get('otlp')!.config as { protocols: { http: { endpoint: unknown } } };
    expect(otlp.protocols.http.endpoint).toEqual({ host: '127.0.0.1', port: 5318 });
    expect(issuesOf(yaml)).toContain('receivers.otlp.protocols.http.endpoint: environment variable PORT is not set');
  });

  it('reports YAML syntax errors with the line', () => {
    expect(issuesOf('receivers:\n  otlp: [\n')[0]).toMatch(/^not valid YAML \(line \d+\)/);
  });

  it('`corrgate validate` exits 0 on a good file and 1 with the issues on a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'corrgate-config-'));
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(good, minimal);
    writeFileSync(bad, minimal.replace('exporters: [nop]', 'exporters: [nop]\n      procesors: []'));
    const out = execFileSync(process.execPath, ['dist/cli/main.js', 'validate', '--config', good], { encoding: 'utf8' });
    expect(out).toContain('valid (1 pipelines: traces)');
    const res = spawnSync(process.execPath, ['dist/cli/main.js', 'validate', '--config', bad], { encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('service.pipelines.traces.procesors: unknown key');
  });
});
