import { describe, expect, it } from 'vitest';
import { builtinRuleFiles, builtinRulesDir } from '../../../src/bridge/device-events/builtin-rules.js';
import { loadRuleSet } from '../../../src/bridge/device-events/rule-loader.js';
import type { RuleSet } from '../../../src/bridge/device-events/rule-set.js';
import { attributesToPlain } from '../../../src/model/attributes.js';
import type { LogRecord } from '../../../src/model/log-record.js';
import { RESOURCE, syslogRecord, trapRecord } from './device-records.js';

// Every shipped rule against messages as the vendors document them (Cisco system message guides,
// Juniper and Huawei log references, Arista EOS, FortiOS log reference, IF-MIB, SNMPv2-MIB,
// BGP4-MIB and JUNIPER-MIB), built as the syslog and snmptrap receivers hand them on.

interface Case {
  readonly rule: string;
  readonly record: LogRecord;
  readonly event: string;
  readonly vendor?: string;
  readonly fields?: Readonly<Record<string, string | number>>;
}

const cisco = (mnemonic: string, body: string) => syslogRecord('cisco', 'cisco', mnemonic, body);
const arista = (mnemonic: string, body: string) => syslogRecord('arista', 'arista', mnemonic, body);
const juniper = (mnemonic: string, body: string) => syslogRecord('juniper', 'juniper', mnemonic, body);
const huawei = (mnemonic: string, body: string) => syslogRecord('huawei', 'huawei', mnemonic, body);
const fortigate = (fields: Record<string, string>) =>
  syslogRecord(
    'fortinet',
    'keyvalue',
    fields.logid,
    Object.entries(fields)
      .map(([k, v]) => `${k}="${v}"`)
      .join(' '),
    fields,
  );

const cases: Case[] = [
  // Cisco IOS / IOS-XE
  { rule: 'cisco-link-down', record: cisco('LINK-3-UPDOWN', 'Interface Serial0, changed state to down'), event: 'network.interface.down', vendor: 'cisco', fields: { 'network.interface.name': 'Serial0' } },
  { rule: 'cisco-link-down', record: cisco('LINK-5-CHANGED', 'Interface GigabitEthernet0/2, changed state to administratively down'), event: 'network.interface.down', vendor: 'cisco', fields: { 'network.interface.name': 'GigabitEthernet0/2' } },
  { rule: 'cisco-link-up', record: cisco('LINK-3-UPDOWN', 'Interface GigabitEthernet1/0/1, changed state to up'), event: 'network.interface.up', vendor: 'cisco', fields: { 'network.interface.name': 'GigabitEthernet1/0/1' } },
  { rule: 'cisco-link-up', record: cisco('LINK-3-UPDOWN', 'Interface Port-channel1, changed state to up'), event: 'network.interface.up', vendor: 'cisco', fields: { 'network.interface.name': 'Port-channel1' } },
  { rule: 'cisco-lineproto-down', record: cisco('LINEPROTO-5-UPDOWN', 'Line protocol on Interface Vlan1, changed state to down'), event: 'network.interface.down', vendor: 'cisco', fields: { 'network.interface.name': 'Vlan1' } },
  { rule: 'cisco-lineproto-up', record: cisco('LINEPROTO-5-UPDOWN', 'Line protocol on Interface GigabitEthernet0/1, changed state to up'), event: 'network.interface.up', vendor: 'cisco', fields: { 'network.interface.name': 'GigabitEthernet0/1' } },
  { rule: 'cisco-bgp-down', record: cisco('BGP-5-ADJCHANGE', 'neighbor 192.0.2.2 Down BGP Notification sent'), event: 'network.bgp.session.down', vendor: 'cisco', fields: { 'network.bgp.neighbor.address': '192.0.2.2' } },
  { rule: 'cisco-bgp-down', record: cisco('BGP-5-ADJCHANGE', 'neighbor 2001:db8::2 Down BGP protocol initialization'), event: 'network.bgp.session.down', vendor: 'cisco', fields: { 'network.bgp.neighbor.address': '2001:db8::2' } },
  { rule: 'cisco-bgp-up', record: cisco('BGP-5-ADJCHANGE', 'neighbor 192.0.2.2 Up'), event: 'network.bgp.session.up', vendor: 'cisco', fields: { 'network.bgp.neighbor.address': '192.0.2.2' } },
  { rule: 'cisco-bgp-up', record: cisco('BGP-5-ADJCHANGE', 'neighbor 10.0.0.1 vpn vrf CUST-A Up'), event: 'network.bgp.session.up', vendor: 'cisco', fields: { 'network.bgp.neighbor.address': '10.0.0.1' } },
  { rule: 'cisco-ospf-down', record: cisco('OSPF-5-ADJCHG', 'Process 1, Nbr 10.0.0.2 on GigabitEthernet0/1 from FULL to DOWN, Neighbor Down: Dead timer expired'), event: 'network.ospf.adjacency.down', vendor: 'cisco', fields: { 'network.ospf.neighbor.id': '10.0.0.2', 'network.interface.name': 'GigabitEthernet0/1' } },
  { rule: 'cisco-ospf-up', record: cisco('OSPF-5-ADJCHG', 'Process 1, Nbr 10.0.0.2 on GigabitEthernet0/1 from LOADING to FULL, Loading Done'), event: 'network.ospf.adjacency.up', vendor: 'cisco', fields: { 'network.ospf.neighbor.id': '10.0.0.2', 'network.interface.name': 'GigabitEthernet0/1' } },
  { rule: 'cisco-config-changed', record: cisco('SYS-5-CONFIG_I', 'Configured from console by admin on vty0 (10.1.1.1)'), event: 'device.config.changed', vendor: 'cisco', fields: { 'user.name': 'admin' } },
  { rule: 'cisco-config-changed', record: cisco('SYS-5-CONFIG_I', 'Configured from console by vty2 (10.34.195.36)'), event: 'device.config.changed', vendor: 'cisco', fields: {} },
  { rule: 'cisco-restart', record: cisco('SYS-5-RESTART', 'System restarted --'), event: 'device.reboot', vendor: 'cisco', fields: {} },
  { rule: 'cisco-login-failed', record: cisco('SEC_LOGIN-4-LOGIN_FAILED', 'Login failed [user: admin] [Source: 10.1.1.1] [localport: 22] [Reason: Login Authentication Failed] at 10:18:54 UTC Wed Feb 28 2024'), event: 'device.authentication.failure', vendor: 'cisco', fields: { 'user.name': 'admin' } },
  // Cisco NX-OS
  { rule: 'nxos-ethport-down', record: cisco('ETHPORT-5-IF_DOWN_LINK_FAILURE', 'Interface Ethernet1/1 is down (Link failure)'), event: 'network.interface.down', vendor: 'cisco', fields: { 'network.interface.name': 'Ethernet1/1' } },
  { rule: 'nxos-ethport-down', record: cisco('ETHPORT-5-IF_DOWN_ADMIN_DOWN', 'Interface Ethernet1/7 is down (Administratively down)'), event: 'network.interface.down', vendor: 'cisco', fields: { 'network.interface.name': 'Ethernet1/7' } },
  { rule: 'nxos-ethport-up', record: cisco('ETHPORT-5-IF_UP', 'Interface Ethernet1/1 is up in mode access'), event: 'network.interface.up', vendor: 'cisco', fields: { 'network.interface.name': 'Ethernet1/1' } },
  { rule: 'cisco-bgp-down', record: cisco('BGP-5-ADJCHANGE', 'bgp-65000 [4567] (default) neighbor 10.1.1.1 Down - holdtimer expired error'), event: 'network.bgp.session.down', vendor: 'cisco', fields: { 'network.bgp.neighbor.address': '10.1.1.1' } },
  { rule: 'cisco-bgp-up', record: cisco('BGP-5-ADJCHANGE', 'bgp-65000 [4567] (default) neighbor 10.1.1.1 Up'), event: 'network.bgp.session.up', vendor: 'cisco', fields: { 'network.bgp.neighbor.address': '10.1.1.1' } },
  { rule: 'nxos-config-changed', record: cisco('VSHD-5-VSHD_SYSLOG_CONFIG_I', 'Configured from vty by admin on 10.1.1.1@pts/0'), event: 'device.config.changed', vendor: 'cisco', fields: { 'user.name': 'admin' } },
  // Arista EOS
  { rule: 'arista-lineproto-down', record: arista('LINEPROTO-5-UPDOWN', 'Line protocol on Interface Ethernet28, changed state to down'), event: 'network.interface.down', vendor: 'arista', fields: { 'network.interface.name': 'Ethernet28' } },
  { rule: 'arista-lineproto-up', record: arista('LINEPROTO-5-UPDOWN', 'Line protocol on Interface Ethernet28, changed state to up'), event: 'network.interface.up', vendor: 'arista', fields: { 'network.interface.name': 'Ethernet28' } },
  { rule: 'arista-bgp-down', record: arista('BGP-5-ADJCHANGE', 'peer 192.0.2.2 (VRF default AS 12345) old state Established event AdminReset new state Idle'), event: 'network.bgp.session.down', vendor: 'arista', fields: { 'network.bgp.neighbor.address': '192.0.2.2', 'network.bgp.neighbor.state': 'Idle' } },
  { rule: 'arista-bgp-up', record: arista('BGP-5-ADJCHANGE', 'peer 192.0.2.2 (VRF default AS 12345) old state OpenConfirm event Established new state Established'), event: 'network.bgp.session.up', vendor: 'arista', fields: { 'network.bgp.neighbor.address': '192.0.2.2', 'network.bgp.neighbor.state': 'Established' } },
  { rule: 'arista-config-changed', record: arista('SYS-5-CONFIG_I', 'Configured from console by admin on vty3 (10.1.1.1)'), event: 'device.config.changed', vendor: 'arista', fields: { 'user.name': 'admin' } },
  // Juniper Junos
  { rule: 'juniper-link-down', record: juniper('SNMP_TRAP_LINK_DOWN', 'ifIndex 526, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/0'), event: 'network.interface.down', vendor: 'juniper', fields: { 'network.interface.name': 'ge-0/0/0', 'network.interface.index': 526 } },
  { rule: 'juniper-link-up', record: juniper('SNMP_TRAP_LINK_UP', 'ifIndex 526, ifAdminStatus up(1), ifOperStatus up(1), ifName ge-0/0/0'), event: 'network.interface.up', vendor: 'juniper', fields: { 'network.interface.name': 'ge-0/0/0', 'network.interface.index': 526 } },
  { rule: 'juniper-bgp-down', record: juniper('RPD_BGP_NEIGHBOR_STATE_CHANGED', 'BGP peer 1.1.1.1 (External AS 2222) changed state from Established to Idle (event RecvNotify) (instance master)'), event: 'network.bgp.session.down', vendor: 'juniper', fields: { 'network.bgp.neighbor.address': '1.1.1.1', 'network.bgp.neighbor.state': 'Idle' } },
  { rule: 'juniper-bgp-up', record: juniper('RPD_BGP_NEIGHBOR_STATE_CHANGED', 'BGP peer 10.0.0.1 (Internal AS 65000) changed state from OpenConfirm to Established (event RecvKeepAlive) (instance master)'), event: 'network.bgp.session.up', vendor: 'juniper', fields: { 'network.bgp.neighbor.address': '10.0.0.1', 'network.bgp.neighbor.state': 'Established' } },
  { rule: 'juniper-commit', record: juniper('UI_COMMIT', "User 'admin' requested 'commit' operation (comment: none)"), event: 'device.config.changed', vendor: 'juniper', fields: { 'user.name': 'admin' } },
  { rule: 'juniper-commit', record: juniper('UI_COMMIT', "User 'netops' requested 'commit synchronize' operation (comment: vlan 20)"), event: 'device.config.changed', vendor: 'juniper', fields: { 'user.name': 'netops' } },
  { rule: 'juniper-restart', record: juniper('SNMPD_TRAP_COLD_START', 'trap_generate_cold: SNMP trap: cold start'), event: 'device.reboot', vendor: 'juniper', fields: {} },
  { rule: 'juniper-restart', record: juniper('SNMPD_TRAP_WARM_START', 'trap_generate_warm: SNMP trap: warm start'), event: 'device.reboot', vendor: 'juniper', fields: {} },
  { rule: 'juniper-login-failed', record: juniper('SSHD_LOGIN_FAILED', "Login failed for user 'root' from host '10.0.0.1'"), event: 'device.authentication.failure', vendor: 'juniper', fields: { 'user.name': 'root' } },
  { rule: 'juniper-login-failed', record: juniper('LOGIN_FAILED', 'Login failed for user admin from host 10.0.0.2'), event: 'device.authentication.failure', vendor: 'juniper', fields: { 'user.name': 'admin' } },
  // Huawei VRP
  { rule: 'huawei-link-state-down', record: huawei('IFNET/4/LINK_STATE', 'The line protocol IP on the interface GigabitEthernet0/0/1 has entered the DOWN state.'), event: 'network.interface.down', vendor: 'huawei', fields: { 'network.interface.name': 'GigabitEthernet0/0/1' } },
  { rule: 'huawei-link-state-up', record: huawei('IFNET/4/LINK_STATE', 'The line protocol IP on the interface GigabitEthernet0/0/1 has entered the UP state.'), event: 'network.interface.up', vendor: 'huawei', fields: { 'network.interface.name': 'GigabitEthernet0/0/1' } },
  { rule: 'huawei-linkdown-active', record: huawei('IFNET/2/linkDown_active', 'The interface status changes. (ifName=GigabitEthernet1/0/1, AdminStatus=UP, OperStatus=DOWN, Reason=The physical link is down, mainIfname=GigabitEthernet1/0/1)'), event: 'network.interface.down', vendor: 'huawei', fields: { 'network.interface.name': 'GigabitEthernet1/0/1' } },
  { rule: 'huawei-linkdown-active', record: huawei('IFNET/2/linkdown_active', 'The interface status changes. (ifName=100GE1/0/3, AdminStatus=UP, OperStatus=DOWN, Reason=LACP negotiation failed, mainIfname=100GE1/0/3)'), event: 'network.interface.down', vendor: 'huawei', fields: { 'network.interface.name': '100GE1/0/3' } },
  { rule: 'huawei-linkdown-clear', record: huawei('IFNET/2/linkDown_clear', 'The interface status changes. (ifName=GigabitEthernet1/0/1, AdminStatus=UP, OperStatus=UP, Reason=The interface is up, mainIfname=GigabitEthernet1/0/1)'), event: 'network.interface.up', vendor: 'huawei', fields: { 'network.interface.name': 'GigabitEthernet1/0/1' } },
  { rule: 'huawei-bgp-backward-transition', record: huawei('BGP/2/bgpBackwardTransition_active', 'The BGP FSM moves from a higher numbered state to a lower numbered state. (BgpPeerRemoteAddr=10.1.1.2, BgpPeerLastError=64, BgpPeerState=1, LocalIfName=GigabitEthernet1/0/0, Reason=Hold timer expire, Description=)'), event: 'network.bgp.session.down', vendor: 'huawei', fields: { 'network.bgp.neighbor.address': '10.1.1.2' } },
  { rule: 'huawei-bgp-established', record: huawei('BGP/2/bgpBackwardTransition_clear', 'The BGP FSM enters the Established state. (BgpPeerRemoteAddr=10.1.1.2, BgpPeerLastError=0, BgpPeerState=6, LocalIfName=GigabitEthernet1/0/0, Reason=, Description=)'), event: 'network.bgp.session.up', vendor: 'huawei', fields: { 'network.bgp.neighbor.address': '10.1.1.2', 'network.bgp.neighbor.state': 'Established' } },
  { rule: 'huawei-config-changed', record: huawei('CONFIGURATION/6/NETCONF_CONFIG_CHANGE_EVENT', 'The configuration changed. (Internal change =0, User name =admin, Session ID =1, Command source address =10.1.1.1, Storage type =1, Terminal type =0)'), event: 'device.config.changed', vendor: 'huawei', fields: { 'user.name': 'admin' } },
  { rule: 'huawei-config-file-changed', record: huawei('CONFIGURATION/6/CFG_FILE_CHANGE', 'Configuration file was changed. (LogIndex=3, SrcCmd=1, SrcData=2, DestData=4, TerUser="admin", SrcAddr=10.1.1.1, ConfigChangeId=5, LogTime=1234, CfgBaselineTime="2024-01-01 10:00:00")'), event: 'device.config.changed', vendor: 'huawei', fields: { 'user.name': 'admin' } },
  // FortiGate
  { rule: 'fortigate-admin-login-failed', record: fortigate({ logid: '0100032002', type: 'event', subtype: 'system', level: 'alert', logdesc: 'Admin login failed', user: 'admin', ui: 'https(10.1.1.1)', action: 'login', status: 'failed', reason: 'passwd_invalid', msg: 'Administrator admin login failed from https(10.1.1.1) because of invalid password' }), event: 'device.authentication.failure', vendor: 'fortinet', fields: { 'user.name': 'admin' } },
  { rule: 'fortigate-config-changed', record: fortigate({ logid: '0100044547', type: 'event', subtype: 'system', level: 'information', logdesc: 'Object attribute configured', user: 'admin', ui: 'GUI(10.1.1.1)', action: 'Edit', cfgpath: 'system.interface', cfgobj: 'port1', cfgattr: 'allowaccess[ping->ping https ssh]', msg: 'Edit system.interface port1' }), event: 'device.config.changed', vendor: 'fortinet', fields: { 'user.name': 'admin' } },
  { rule: 'fortigate-config-changed', record: fortigate({ logid: '0100044545', type: 'event', subtype: 'system', level: 'information', logdesc: 'Object configured', user: 'netops', ui: 'ssh(10.1.1.2)', action: 'Add', cfgpath: 'firewall.address', cfgobj: 'web-servers', msg: 'Add firewall.address web-servers' }), event: 'device.config.changed', vendor: 'fortinet', fields: { 'user.name': 'netops' } },
  { rule: 'fortigate-link-down', record: fortigate({ logid: '0100020090', type: 'event', subtype: 'system', level: 'notice', logdesc: 'Interface link status changed', status: 'DOWN', intf: 'port2', msg: 'Link status changed' }), event: 'network.interface.down', vendor: 'fortinet', fields: { 'network.interface.name': 'port2' } },
  { rule: 'fortigate-link-up', record: fortigate({ logid: '0100020090', type: 'event', subtype: 'system', level: 'notice', logdesc: 'Interface link status changed', status: 'UP', intf: 'port2', msg: 'Link status changed' }), event: 'network.interface.up', vendor: 'fortinet', fields: { 'network.interface.name': 'port2' } },
  // Standard traps (IF-MIB, SNMPv2-MIB, BGP4-MIB) and Juniper chassis traps
  { rule: 'snmp-link-down', record: trapRecord('1.3.6.1.6.3.1.1.5.3', 'linkDown', { ifIndex: 526, ifAdminStatus: 1, ifOperStatus: 2, ifName: 'ge-0/0/0' }, 'linkDown from mx1: ifIndex=526 ifAdminStatus=up(1) ifOperStatus=down(2) ifName=ge-0/0/0'), event: 'network.interface.down', fields: { 'network.interface.name': 'ge-0/0/0', 'network.interface.index': 526 } },
  { rule: 'snmp-link-down', record: trapRecord('1.3.6.1.6.3.1.1.5.3', 'linkDown', { ifIndex: 3, ifDescr: 'GigabitEthernet0/3', ifType: 6 }, 'linkDown from sw1: ifIndex=3 ifDescr=GigabitEthernet0/3 ifType=ethernetCsmacd(6)'), event: 'network.interface.down', fields: { 'network.interface.name': 'GigabitEthernet0/3', 'network.interface.index': 3 } },
  { rule: 'snmp-link-up', record: trapRecord('1.3.6.1.6.3.1.1.5.4', 'linkUp', { ifIndex: 526, ifAdminStatus: 1, ifOperStatus: 1, ifName: 'ge-0/0/0' }, 'linkUp from mx1: ifIndex=526 ifAdminStatus=up(1) ifOperStatus=up(1) ifName=ge-0/0/0'), event: 'network.interface.up', fields: { 'network.interface.name': 'ge-0/0/0', 'network.interface.index': 526 } },
  { rule: 'snmp-cold-start', record: trapRecord('1.3.6.1.6.3.1.1.5.1', 'coldStart', {}, 'coldStart from sw1'), event: 'device.reboot', fields: {} },
  { rule: 'snmp-warm-start', record: trapRecord('1.3.6.1.6.3.1.1.5.2', 'warmStart', {}, 'warmStart from sw1'), event: 'device.reboot', fields: {} },
  { rule: 'snmp-authentication-failure', record: trapRecord('1.3.6.1.6.3.1.1.5.5', 'authenticationFailure', {}, 'authenticationFailure from sw1'), event: 'device.authentication.failure', fields: {} },
  { rule: 'snmp-bgp-backward-transition', record: trapRecord('1.3.6.1.2.1.15.0.2', 'bgpBackwardTransNotification', { bgpPeerRemoteAddr: '10.0.0.2', bgpPeerLastError: '0400', bgpPeerState: 1 }, 'bgpBackwardTransNotification from r1: bgpPeerRemoteAddr=10.0.0.2 bgpPeerLastError=0400 bgpPeerState=idle(1)'), event: 'network.bgp.session.down', fields: { 'network.bgp.neighbor.address': '10.0.0.2' } },
  { rule: 'snmp-bgp-backward-transition', record: trapRecord('1.3.6.1.2.1.15.7.2', 'bgpBackwardTransition', { bgpPeerLastError: '0400', bgpPeerState: 1, 'bgpPeerState.instance': '10.0.0.3' }, 'bgpBackwardTransition from r1: bgpPeerLastError=0400 bgpPeerState=idle(1)'), event: 'network.bgp.session.down', fields: { 'network.bgp.neighbor.address': '10.0.0.3' } },
  { rule: 'snmp-bgp-backward-transition', record: trapRecord('1.3.6.1.2.1.15.7.0.2', undefined, { '1.3.6.1.2.1.15.3.1.14.10.0.0.4': '0400', '1.3.6.1.2.1.15.3.1.2.10.0.0.4': 1 }, '1.3.6.1.2.1.15.7.0.2 from r1: 1.3.6.1.2.1.15.3.1.14.10.0.0.4=0400 1.3.6.1.2.1.15.3.1.2.10.0.0.4=1'), event: 'network.bgp.session.down', fields: { 'network.bgp.neighbor.address': '10.0.0.4' } },
  { rule: 'snmp-bgp-established', record: trapRecord('1.3.6.1.2.1.15.0.1', 'bgpEstablishedNotification', { bgpPeerRemoteAddr: '10.0.0.2', bgpPeerLastError: '0000', bgpPeerState: 6 }, 'bgpEstablishedNotification from r1: bgpPeerRemoteAddr=10.0.0.2 bgpPeerLastError=0000 bgpPeerState=established(6)'), event: 'network.bgp.session.up', fields: { 'network.bgp.neighbor.address': '10.0.0.2' } },
  { rule: 'juniper-power-supply-failure', record: trapRecord('1.3.6.1.4.1.2636.4.1.1', 'jnxPowerSupplyFailure', { jnxContentsDescr: 'PEM 0' }, 'jnxPowerSupplyFailure from mx1: jnxContentsDescr="PEM 0"'), event: 'device.power.failure', vendor: 'juniper', fields: {} },
  { rule: 'juniper-power-supply-failure', record: trapRecord('1.3.6.1.4.1.2636.4.1.0.1', undefined, {}, '1.3.6.1.4.1.2636.4.1.0.1 from mx1'), event: 'device.power.failure', vendor: 'juniper', fields: {} },
  { rule: 'juniper-fan-failure', record: trapRecord('1.3.6.1.4.1.2636.4.1.2', 'jnxFanFailure', { jnxContentsDescr: 'Fan Tray 0' }, 'jnxFanFailure from mx1: jnxContentsDescr="Fan Tray 0"'), event: 'device.fan.failure', vendor: 'juniper', fields: {} },
];

/** Messages that look close to a rule's but are not the event, and must pass through unmarked. */
const nonEvents: readonly { readonly why: string; readonly record: LogRecord }[] = [
  { why: 'Junos BGP FSM moving between non-established states', record: juniper('RPD_BGP_NEIGHBOR_STATE_CHANGED', 'BGP peer 1.1.1.1 (External AS 2222) changed state from OpenConfirm to Idle (event TransportError) (instance master)') },
  { why: 'Arista BGP FSM on its way up', record: arista('BGP-5-ADJCHANGE', 'peer 192.0.2.2 (VRF default AS 12345) old state Idle event Start new state Connect') },
  { why: 'Junos commit check validates without changing', record: juniper('UI_COMMIT', "User 'admin' requested 'commit check' operation (comment: none)") },
  { why: 'Huawei linkDown alarm cleared by deleting the interface', record: huawei('IFNET/2/linkDown_clear', 'The interface status changes. (ifName=Vlanif20, AdminStatus=UP, OperStatus=DOWN, Reason=The interface is deleted, mainIfname=Vlanif20)') },
  { why: 'a Cisco mnemonic from another vendor', record: syslogRecord('arista', 'arista', 'LINK-3-UPDOWN', 'Interface Ethernet1, changed state to down') },
  { why: 'an unrelated Cisco message', record: cisco('SYS-6-LOGGINGHOST_STARTSTOP', 'Logging to host 192.0.2.50 port 514 started - CLI initiated') },
  { why: 'a FortiGate admin login that succeeded', record: fortigate({ logid: '0100032001', type: 'event', subtype: 'system', user: 'admin', action: 'login', status: 'success' }) },
  { why: 'an unknown enterprise trap', record: trapRecord('1.3.6.1.4.1.9.9.41.2.0.1', 'clogMessageGenerated', {}, 'clogMessageGenerated from sw1') },
];

function loadBuiltin(): RuleSet {
  const { ruleSet, issues } = loadRuleSet({ inline: [], files: [], builtinFiles: builtinRuleFiles() });
  expect(issues).toEqual([]);
  return ruleSet!;
}

describe('shipped device event rules', () => {
  const rules = loadBuiltin();

  it('ships one rule file per vendor family, found relative to the package root', () => {
    const names = builtinRuleFiles().map((f) => f.slice(builtinRulesDir().length));
    expect(names).toEqual(['arista.yaml', 'cisco.yaml', 'fortinet.yaml', 'huawei.yaml', 'juniper.yaml', 'snmp.yaml']);
  });

  it.each(cases.map((c, i) => [`${c.rule} #${i}`, c] as const))('%s recognises its vendor line', (_, c) => {
    const applied = rules.apply(c.record, RESOURCE);
    expect(applied?.rule.name).toBe(c.rule);
    const out = attributesToPlain(applied!.record.attributes);
    expect(out['event.name']).toBe(c.event);
    expect(applied!.record.eventName).toBe(c.event);
    expect(out['device.event.rule']).toBe(c.rule);
    expect(out['device.event.vendor']).toBe(c.vendor);
    for (const key of ['network.interface.name', 'network.interface.index', 'network.bgp.neighbor.address', 'network.bgp.neighbor.state', 'network.ospf.neighbor.id', 'user.name']) {
      expect(out[key], key).toBe(c.fields?.[key]);
    }
    // The input attributes are all still there, unchanged, ahead of the added ones.
    expect(applied!.record.attributes.slice(0, c.record.attributes.length)).toEqual(c.record.attributes);
    expect(applied!.record.body).toBe(c.record.body);
  });

  it('sets network.interface.index as an int attribute', () => {
    const applied = rules.apply(cases.find((c) => c.rule === 'snmp-link-down')!.record, RESOURCE)!;
    expect(applied.record.attributes.find((kv) => kv.key === 'network.interface.index')?.value).toEqual({ type: 'int', value: 526n });
  });

  it.each(nonEvents.map((n) => [n.why, n.record] as const))('leaves %s unmarked', (_, record) => {
    expect(rules.apply(record, RESOURCE)).toBeUndefined();
  });

  it('has at least one vendor line for every shipped rule', () => {
    const tested = new Set(cases.map((c) => c.rule));
    expect(rules.rules.map((r) => r.name).filter((n) => !tested.has(n))).toEqual([]);
  });
});
