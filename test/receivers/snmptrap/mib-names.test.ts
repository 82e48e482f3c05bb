import { describe, expect, it } from 'vitest';
import { loadMibNames } from '../../../src/receivers/snmptrap/mib-names.js';
import { TEST_MIB_DIR } from './snmp-tools.js';

describe('MIB names', () => {
  const mib = loadMibNames([TEST_MIB_DIR]);

  it('names notifications from the MIBs net-snmp ships (SNMPv2-MIB, IF-MIB)', () => {
    expect(mib.nameOf('1.3.6.1.6.3.1.1.5.1')).toBe('coldStart');
    expect(mib.nameOf('1.3.6.1.6.3.1.1.5.3')).toBe('linkDown');
    expect(mib.nameOf('1.3.6.1.6.3.1.1.5.4')).toBe('linkUp');
    expect(mib.nameOf('1.3.6.1.6.3.1.1.5.5')).toBe('authenticationFailure');
    expect(mib.nameOf('1.3.6.1.4.1.64999.2.1')).toBe('cgtAlarmRaised');
    expect(mib.nameOf('1.3.6.1.4.1.64999.2.99')).toBeUndefined();
  });

  it('resolves varbind OIDs by the longest leaf object prefix, splitting off the instance', () => {
    expect(mib.resolve('1.3.6.1.2.1.2.2.1.1.3')).toEqual({ name: 'ifIndex', objectOid: '1.3.6.1.2.1.2.2.1.1', instance: '3' });
    expect(mib.resolve('1.3.6.1.2.1.2.2.1.8.12')).toEqual({ name: 'ifOperStatus', objectOid: '1.3.6.1.2.1.2.2.1.8', instance: '12' });
    expect(mib.resolve('1.3.6.1.2.1.31.1.1.1.1.5')).toEqual({ name: 'ifName', objectOid: '1.3.6.1.2.1.31.1.1.1.1', instance: '5' });
    expect(mib.resolve('1.3.6.1.2.1.1.5.0')).toEqual({ name: 'sysName', objectOid: '1.3.6.1.2.1.1.5', instance: '0' });
    expect(mib.resolve('1.3.6.1.4.1.64999.1.1.0')).toEqual({ name: 'cgtAlarmText', objectOid: '1.3.6.1.4.1.64999.1.1', instance: '0' });
  });

  it('does not name an unknown object after a table, a row or a subtree above it', () => {
    expect(mib.resolve('1.3.6.1.4.1.55555.1.1.0')).toBeUndefined(); // under enterprises
    expect(mib.resolve('1.3.6.1.2.1.2.2.1.99.3')).toBeUndefined(); // under ifEntry
    expect(mib.resolve('1.3.6.1.4.1.64999.1.77.0')).toBeUndefined(); // under a node of the test MIB
    expect(mib.resolve('1.3.6.1.2.1.2.2')).toEqual({ name: 'ifTable', objectOid: '1.3.6.1.2.1.2.2', instance: '' }); // exact
  });

  it('keeps the named values of INTEGER objects', () => {
    expect(mib.enumerationOf('1.3.6.1.2.1.2.2.1.8')?.get(2)).toBe('down');
    expect(mib.enumerationOf('1.3.6.1.4.1.64999.1.2')?.get(3)).toBe('critical');
    expect(mib.enumerationOf('1.3.6.1.2.1.2.2.1.1')).toBeUndefined();
  });

  it('names nothing from a MIB directory it was not given', () => {
    expect(loadMibNames([]).nameOf('1.3.6.1.4.1.64999.2.1')).toBeUndefined();
  });
});
