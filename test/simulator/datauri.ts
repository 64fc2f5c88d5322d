/**
 * Replaces data: URIs in a parsed JSON body by a short summary, so a recorded 20 MB upload costs a few
 * bytes. Each data URI is decoded exactly once, here.
 */
import { createHash } from 'node:crypto';

import type { DataUriSummary } from './types';

export interface DataUriMeta {
	/** The URI said `;base64`. */
	base64: boolean;
	/** Its payload used only base64 characters (or was not base64). */
	valid: boolean;
}

/** Facts about a summary that the recorded shape does not show, for the request validation. */
export const dataUriMeta = new WeakMap<DataUriSummary, DataUriMeta>();

const DATA_URI = /^data:([^,;]*)((?:;[^,;]*)*),/;
// Line breaks are tolerated, as most base64 decoders do.
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

export function isDataUriSummary(v: unknown): v is DataUriSummary {
	return typeof v === 'object' && v !== null && (v as DataUriSummary).dataUri === true;
}

export function summariseDataUri(uri: string): DataUriSummary | undefined {
	const m = DATA_URI.exec(uri.length > 512 ? uri.slice(0, 512) : uri);
	if (!m) return undefined;
	const base64 = /;base64$/i.test(m[2]);
	const payload = uri.slice(m[0].length);
	let bytes: Buffer;
	let valid = true;
	if (base64) {
		valid = BASE64.test(payload);
		bytes = Buffer.from(payload, 'base64');
	} else {
		try {
			bytes = Buffer.from(decodeURIComponent(payload), 'utf8');
		} catch {
			bytes = Buffer.from(payload, 'utf8');
		}
	}
	const summary: DataUriSummary = {
		dataUri: true,
		mime: m[1].toLowerCase(),
		bytes: bytes.length,
		sha256: createHash('sha256').update(bytes).digest('hex'),
	};
	dataUriMeta.set(summary, { base64, valid });
	return summary;
}

/** A copy of `value` with every data: URI string summarised. */
export function summariseJson(value: unknown): unknown {
	if (typeof value === 'string') {
		return value.startsWith('data:') ? (summariseDataUri(value) ?? value) : value;
	}
	if (Array.isArray(value)) return value.map(summariseJson);
	if (typeof value === 'object' && value !== null) {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) out[k] = summariseJson(v);
		return out;
	}
	return value;
}
