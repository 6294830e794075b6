/*
 * A TCP proxy between a client and PostgreSQL that reads the client's side of the wire protocol and, when armed,
 * cuts the connection at the worst moment for the client: right after it sent the message that commits a
 * transaction, before any reply. The message reaches the server whole, so the server commits (or not) on its
 * own; the client only sees its connection drop and cannot know which.
 *
 * Commit points it recognises (frontend protocol v3):
 * - a simple query ('Q') whose text is COMMIT or END;
 * - in the extended protocol, a Sync ('S') closing a pipeline that executed a COMMIT prepared with Parse ('P');
 * - when `implicit` is armed, a Sync closing a pipeline that executed an INSERT outside BEGIN … COMMIT: the
 *   statement's own implicit transaction commits there.
 */
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

export type CommitPoint = 'COMMIT' | 'implicit';

export interface Cut {
  /** Which kind of commit point was cut. */
  readonly kind: CommitPoint;
  /** How the commit travelled: "simple query COMMIT", "extended COMMIT", "Sync after INSERT". */
  readonly message: string;
  readonly connection: number;
}

export interface CommitCuttingProxy {
  /** `url` (a postgres:// URL to the proxied server) rewritten to go through the proxy. */
  through(url: string): string;
  /** Cuts the next commit point of that kind on any connection; resolves once it has. */
  cutNext(kind: CommitPoint): Promise<Cut>;
  /** Disarms a cut that has not happened. */
  disarm(): void;
  readonly connections: number;
  close(): Promise<void>;
}

const sslRequest = 80877103;
const gssEncRequest = 80877104;
const cancelRequest = 80877102;

export async function startCommitCuttingProxy(target: { host: string; port: number }): Promise<CommitCuttingProxy> {
  let armed: { kind: CommitPoint; resolve: (cut: Cut) => void } | undefined;
  let connections = 0;
  const sockets = new Set<Socket>();

  const server = createServer((downstream) => {
    const connection = ++connections;
    const upstream = connect(target.port, target.host);
    sockets.add(downstream).add(upstream);
    const reader = new FrontendReader();
    let cut = false;

    downstream.on('data', (chunk: Buffer) => {
      if (cut) return;
      for (const { bytes, point } of reader.push(chunk)) {
        upstream.write(bytes);
        if (point === undefined || armed === undefined || point.kind !== armed.kind) continue;
        // The commit is on its way to the server; drop the client before any reply reaches it, and let the
        // server read to the end of what it got (end(), not destroy(), so the bytes are not discarded).
        cut = true;
        const { resolve } = armed;
        armed = undefined;
        downstream.destroy();
        upstream.end();
        resolve({ kind: point.kind, message: point.message, connection });
        return;
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!cut && !downstream.destroyed) downstream.write(chunk);
    });
    for (const socket of [downstream, upstream]) {
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        downstream.destroy();
        upstream.end();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    through(url) {
      const rewritten = new URL(url);
      rewritten.hostname = '127.0.0.1';
      rewritten.port = String(port);
      return rewritten.toString();
    },
    cutNext(kind) {
      if (armed !== undefined) throw new Error(`a cut at the next ${armed.kind} is already armed`);
      return new Promise<Cut>((resolve) => {
        armed = { kind, resolve };
      });
    },
    disarm() {
      armed = undefined;
    },
    get connections() {
      return connections;
    },
    async close() {
      armed = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface Framed {
  /** One whole frontend message (or the bytes of a startup packet). */
  readonly bytes: Buffer;
  /** Set when sending this message commits a transaction. */
  readonly point: { readonly kind: CommitPoint; readonly message: string } | undefined;
}

/** Splits the client's byte stream into messages and follows enough of it to see where transactions commit. */
class FrontendReader {
  #pending: Buffer = Buffer.alloc(0);
  #startup = true;
  #inTransaction = false;
  readonly #statements = new Map<string, string>();
  /** What the pipeline since the last Sync executed that commits at that Sync. */
  #pipeline: { commit: boolean; implicitWrite: boolean } = { commit: false, implicitWrite: false };

  push(chunk: Buffer): Framed[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const framed: Framed[] = [];
    for (;;) {
      const length = this.#nextLength();
      if (length === undefined || this.#pending.length < length) break;
      const bytes = this.#pending.subarray(0, length);
      this.#pending = this.#pending.subarray(length);
      framed.push({ bytes, point: this.#startup ? this.#readStartup(bytes) : this.#read(bytes) });
    }
    return framed;
  }

  #nextLength(): number | undefined {
    if (this.#startup) return this.#pending.length < 4 ? undefined : this.#pending.readInt32BE(0);
    return this.#pending.length < 5 ? undefined : 1 + this.#pending.readInt32BE(1);
  }

  #readStartup(bytes: Buffer): undefined {
    const code = bytes.length >= 8 ? bytes.readInt32BE(4) : 0;
    // After an SSL or GSS request the server answers one byte and the client sends its startup message next.
    if (code !== sslRequest && code !== gssEncRequest && code !== cancelRequest) this.#startup = false;
    return undefined;
  }

  #read(bytes: Buffer): Framed['point'] {
    const type = String.fromCharCode(bytes[0] as number);
    const body = bytes.subarray(5);
    switch (type) {
      case 'Q': {
        const text = normalise(cString(body, 0).text);
        if (/^(BEGIN|START TRANSACTION)\b/.test(text)) this.#inTransaction = true;
        else if (/^(ROLLBACK|ABORT)\b/.test(text)) this.#inTransaction = false;
        else if (/^(COMMIT|END)\b/.test(text)) {
          this.#inTransaction = false;
          return { kind: 'COMMIT', message: 'simple query COMMIT' };
        }
        return undefined;
      }
      case 'P': {
        const name = cString(body, 0);
        this.#statements.set(name.text, cString(body, name.next).text);
        return undefined;
      }
      case 'B': {
        const portal = cString(body, 0);
        const text = normalise(this.#statements.get(cString(body, portal.next).text) ?? '');
        if (/^(BEGIN|START TRANSACTION)\b/.test(text)) this.#inTransaction = true;
        else if (/^(ROLLBACK|ABORT)\b/.test(text)) this.#inTransaction = false;
        else if (/^(COMMIT|END)\b/.test(text)) {
          this.#inTransaction = false;
          this.#pipeline.commit = true;
        } else if (!this.#inTransaction && /\bINSERT\s+INTO\b/.test(text)) this.#pipeline.implicitWrite = true;
        return undefined;
      }
      case 'S': {
        const { commit, implicitWrite } = this.#pipeline;
        this.#pipeline = { commit: false, implicitWrite: false };
        if (commit) return { kind: 'COMMIT', message: 'extended COMMIT' };
        if (implicitWrite) return { kind: 'implicit', message: 'Sync after INSERT' };
        return undefined;
      }
      default:
        return undefined;
    }
  }
}

function cString(buffer: Buffer, start: number): { text: string; next: number } {
  const end = buffer.indexOf(0, start);
  const stop = end === -1 ? buffer.length : end;
  return { text: buffer.toString('utf8', start, stop), next: stop + 1 };
}

function normalise(sql: string): string {
  return sql.trim().replace(/;\s*$/, '').toUpperCase();
}
