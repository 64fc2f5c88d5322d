import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

function osName(): string {
	try {
		const release = readFileSync('/etc/os-release', 'utf8');
		return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(release)?.[1] ?? process.platform;
	} catch {
		return process.platform;
	}
}

function packageVersion(name: string): string {
	try {
		return (
			JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as {
				version: string;
			}
		).version;
	} catch {
		return '?';
	}
}

/** One line saying what the figures were measured on; `nodeVersion` is that of the measurement processes. */
export function describeMachine(nodeVersion: string): string {
	const list = cpus();
	const model = list[0]?.model.trim() ?? 'unknown CPU';
	const gib = (totalmem() / 1024 ** 3).toFixed(1);
	return `${model}, ${list.length} cores, ${gib} GiB RAM, ${osName()}, Node ${nodeVersion}, n8n-core ${packageVersion('n8n-core')}`;
}
