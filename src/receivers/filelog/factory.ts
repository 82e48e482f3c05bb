import type { ReceiverFactory } from '../../pipeline/component.js';
import { filelogReceiverConfigSchema } from './config.js';
import type { FilelogReceiverConfig } from './config.js';
import { FilelogReceiver } from './filelog-receiver.js';

export const filelogReceiverFactory: ReceiverFactory<FilelogReceiverConfig> = {
  kind: 'receiver',
  type: 'filelog',
  signals: ['logs'],
  configSchema: filelogReceiverConfigSchema,
  create: (settings, config, consumers) => new FilelogReceiver(settings, config, consumers),
};
