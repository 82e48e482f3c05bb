import type { ReceiverFactory } from '../../pipeline/component.js';
import { syslogReceiverConfigSchema } from './config.js';
import type { SyslogReceiverConfig } from './config.js';
import { SyslogReceiver } from './syslog-receiver.js';

export const syslogReceiverFactory: ReceiverFactory<SyslogReceiverConfig> = {
  kind: 'receiver',
  type: 'syslog',
  signals: ['logs'],
  configSchema: syslogReceiverConfigSchema,
  create: (settings, config, consumers) => new SyslogReceiver(settings, config, consumers),
};
