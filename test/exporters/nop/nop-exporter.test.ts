import { describe, expect, it } from 'vitest';
import { nopExporterConfigSchema, nopExporterFactory } from '../../../src/exporters/nop/factory.js';
import { makeLogs, makeTraces, metricValue, testSettings } from '../fixtures.js';

describe('nop exporter', () => {
  it('takes no settings', () => {
    expect(nopExporterConfigSchema.parse(undefined)).toEqual({});
    expect(nopExporterConfigSchema.parse(null)).toEqual({});
    expect(nopExporterConfigSchema.safeParse({ verbosity: 'detailed' }).success).toBe(false);
  });

  it('accepts and discards batches, counting them as sent', async () => {
    const settings = testSettings('nop');
    const ex = nopExporterFactory.create(settings, nopExporterConfigSchema.parse({}));
    await ex.start();
    await ex.consume(makeTraces(4));
    await ex.consume(makeLogs(3));
    await ex.consume(makeLogs(2));
    await ex.shutdown();
    expect(await metricValue(settings.metrics.exporterSent.traces, 'nop')).toBe(4);
    expect(await metricValue(settings.metrics.exporterSent.logs, 'nop')).toBe(5);
  });
});
