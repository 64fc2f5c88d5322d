/**
 * The paths a user's upload takes to a real API, on loopback: certificates made at test time with
 * `openssl`, an HTTPS endpoint in front of the simulator, and a CONNECT proxy (what `HTTPS_PROXY`
 * points at), each able to hold the link from n8n to a given rate.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

import { TokenBucket } from '../simulator/throttle';

export interface Certificates {
	/** The CA's certificate, for NODE_EXTRA_CA_CERTS. */
	caFile: string;
	/** Signed by the CA, for `names` (DNS names or IP addresses). */
	key: Buffer;
	cert: Buffer;
}

/** A CA and a server certificate it signed for `names`, written under `dir`. */
export function makeCertificates(dir: string, names: string[], ca?: string): Certificates {
	mkdirSync(dir, { recursive: true });
	const file = (name: string) => join(dir, name);
	const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
	const caDir = ca ?? dir;
	if (!ca) {
		openssl(
			'req',
			'-x509',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-days',
			'2',
			'-subj',
			'/CN=OctopusX test CA',
			'-keyout',
			file('ca.key'),
			'-out',
			file('ca.pem'),
		);
	}
	const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
	writeFileSync(file('server.ext'), `subjectAltName=${san}\n`);
	openssl(
		'req',
		'-newkey',
		'rsa:2048',
		'-nodes',
		'-subj',
		`/CN=${names[0]}`,
		'-keyout',
		file('server.key'),
		'-out',
		file('server.csr'),
	);
	openssl(
		'x509',
		'-req',
		'-in',
		file('server.csr'),
		'-CA',
		join(caDir, 'ca.pem'),
		'-CAkey',
		join(caDir, 'ca.key'),
		'-CAcreateserial',
		'-days',
		'2',
		'-extfile',
		file('server.ext'),
		'-out',
		file('server.pem'),
	);
	return {
		caFile: join(caDir, 'ca.pem'),
		key: readFileSync(file('server.key')),
		cert: readFileSync(file('server.pem')),
	};
}

/** Copies `from` into `to`, reading `from` no faster than `bytesPerSec` (if given). */
function forward(from: Socket, to: Socket, bytesPerSec?: number): void {
	const bucket = new TokenBucket(() => bytesPerSec);
	from.on('data', (chunk: Buffer) => {
		const flowing = to.write(chunk);
		const wait = bucket.take(chunk.length);
		if (!flowing || wait > 0) {
			from.pause();
			const resume = () => setTimeout(() => from.resume(), wait);
			if (flowing) resume();
			else to.once('drain', resume);
		}
	});
	from.on('end', () => to.end());
	from.on('error', () => to.destroy());
	to.on('error', () => from.destroy());
	from.on('close', () => to.destroy());
}

export interface Listening {
	port: number;
	stop: () => Promise<void>;
}

async function listen(server: Server | ReturnType<typeof createTcpServer>, sockets: Set<Socket>) {
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	return {
		port: typeof address === 'object' && address ? address.port : 0,
		stop: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/**
 * HTTPS on 127.0.0.1 in front of `target` (the simulator's port): TLS ends here, the bytes go on in
 * plain HTTP, and what n8n sends is read at `bytesPerSec`.
 */
export async function startTlsFront(
	certs: Pick<Certificates, 'key' | 'cert'>,
	target: number,
	bytesPerSec?: number,
): Promise<Listening> {
	const server = createTlsServer({ key: certs.key, cert: certs.cert }, (client: TLSSocket) => {
		const upstream = connect(target, '127.0.0.1');
		forward(client, upstream, bytesPerSec);
		forward(upstream, client);
	});
	// A handshake n8n refuses (a certificate for another name) ends here, not in the test.
	server.on('tlsClientError', () => {});
	return await listen(server as unknown as Server, new Set());
}

export interface ConnectProxy extends Listening {
	/** The `host:port` of every CONNECT received, in order. */
	tunnels: string[];
}

/**
 * A CONNECT proxy on 127.0.0.1. It makes the TCP connection itself, so it maps made-up host names
 * to loopback ports (`hosts`: `name:port` → local port) with no DNS involved, and reads what the
 * client sends through the tunnel at `bytesPerSec`. `refuse` answers every CONNECT with that status.
 */
export async function startConnectProxy(options: {
	hosts: Record<string, number>;
	bytesPerSec?: number;
	refuse?: number;
}): Promise<ConnectProxy> {
	const tunnels: string[] = [];
	const server = createServer((_req, res) => res.writeHead(405).end());
	server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
		const target = req.url ?? '';
		tunnels.push(target);
		const port = options.hosts[target];
		if (options.refuse || port === undefined) {
			const status = options.refuse ?? 502;
			client.end(`HTTP/1.1 ${status} Refused by the test proxy\r\nContent-Length: 0\r\n\r\n`);
			return;
		}
		const upstream = connect(port, '127.0.0.1', () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length) upstream.write(head);
			forward(client, upstream, options.bytesPerSec);
			forward(upstream, client);
		});
		upstream.on('error', () => client.destroy());
	});
	return { ...(await listen(server, new Set())), tunnels };
}
