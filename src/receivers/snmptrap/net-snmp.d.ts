// net-snmp ships no type declarations. This declares only the part corrgate uses (the notification
// receiver, its authorizer and the MIB module store), typed as net-snmp 3.29 behaves, so the rest
// of the receiver is checked against it.

declare module 'net-snmp' {
  import type { AddressInfo } from 'node:net';
  import type { RemoteInfo } from 'node:dgram';

  export interface Varbind {
    readonly oid: string;
    readonly type: number;
    /** number for integer types, Buffer for OctetString/Opaque/Counter64, string for OID and IpAddress, boolean, null. */
    readonly value: unknown;
  }

  export interface NotificationPdu {
    /** 164 Trap (v1), 166 InformRequest, 167 TrapV2. */
    readonly type: number;
    readonly varbinds: readonly Varbind[];
    /** True when the PDU came in an SNMPv3 scoped PDU. */
    readonly scoped?: boolean;
    readonly contextEngineID?: string;
    readonly contextName?: string;
    /** With includeAuthentication: the community (v1, v2c) or the user name (v3). */
    readonly community?: string;
    readonly user?: string;
    // v1 Trap-PDU fields.
    readonly enterprise?: string;
    readonly agentAddr?: string;
    readonly generic?: number;
    readonly specific?: number;
    readonly upTime?: number;
  }

  export interface Notification {
    readonly pdu: NotificationPdu;
    readonly rinfo: RemoteInfo;
  }

  export interface ReceiverError extends Error {
    /** Set on errors about a received packet; missing on socket errors. */
    rinfo?: RemoteInfo;
    /** ResponseInvalidError's ResponseInvalidCode. */
    code?: number | string;
  }

  export interface UsmUser {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }

  export interface Authorizer {
    addCommunity(community: string): void;
    addUser(user: UsmUser): void;
  }

  /** The socket methods net-snmp's listener calls. */
  export interface ListenerSocket {
    on(event: 'message', listener: (msg: Buffer, rinfo: RemoteInfo) => void): unknown;
    on(event: 'error', listener: (err: Error) => void): unknown;
    bind(port?: number, address?: string | null): unknown;
    send(msg: Buffer, offset: number, length: number, port: number, address: string, callback?: (error: Error | null, bytes: number) => void): unknown;
    close(callback?: () => void): unknown;
    address(): AddressInfo;
  }

  /** The subset of node:dgram the receiver's listener calls. */
  export interface DgramModule {
    createSocket(type: 'udp4' | 'udp6'): ListenerSocket;
  }

  export interface ReceiverOptions {
    port?: number;
    address?: string | null;
    transport?: 'udp4' | 'udp6';
    engineID?: string;
    includeAuthentication?: boolean;
    disableAuthorization?: boolean;
    /** Undocumented: the dgram implementation the listener creates its socket with. */
    dgramModule?: DgramModule;
  }

  export interface Receiver {
    getAuthorizer(): Authorizer;
    close(callback?: () => void): void;
  }

  export interface MibEntry {
    readonly ObjectName?: string;
    readonly ModuleName?: string;
    readonly MACRO?: string;
    readonly OID?: string;
    readonly SYNTAX?: unknown;
    readonly INDEX?: unknown;
    readonly AUGMENTS?: unknown;
    readonly ENTERPRISE?: string;
    readonly VALUE?: string;
  }

  export interface ModuleStore {
    loadFromFile(fileName: string): void;
    getModules(includeBase: boolean): Record<string, Record<string, MibEntry>>;
    getModuleNames(includeBase: boolean): string[];
  }

  /** A command/notification generator session; only what the tests use to send traps. */
  export interface Session {
    trap(typeOrOid: number | string, callback: (error: Error | null) => void): void;
    trap(typeOrOid: number | string, varbinds: readonly Varbind[], callback: (error: Error | null) => void): void;
    close(): void;
  }

  interface NetSnmp {
    createSession(target: string, community: string, options?: { port?: number; trapPort?: number; version?: number }): Session;
    createV3Session(target: string, user: UsmUser, options?: { port?: number; trapPort?: number; version?: number; engineID?: string }): Session;
    readonly Version1: number;
    readonly Version2c: number;
    readonly Version3: number;
    readonly TrapType: Readonly<Record<'ColdStart' | 'WarmStart' | 'LinkDown' | 'LinkUp' | 'AuthenticationFailure' | 'EgpNeighborLoss' | 'EnterpriseSpecific', number>>;
    createReceiver(options: ReceiverOptions, callback: (error: ReceiverError | null, notification: Notification | null) => void): Receiver;
    createModuleStore(): ModuleStore;
    readonly SecurityLevel: { readonly noAuthNoPriv: number; readonly authNoPriv: number; readonly authPriv: number };
    readonly AuthProtocols: Readonly<Record<'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512', number>>;
    readonly PrivProtocols: Readonly<Record<'des' | 'aes' | 'aes256b' | 'aes256r', number>>;
    readonly ResponseInvalidCode: Readonly<Record<string, number>>;
    readonly ObjectType: Readonly<Record<string, number>>;
    readonly PduType: Readonly<Record<string, number>>;
  }

  const snmp: NetSnmp;
  export default snmp;
}
