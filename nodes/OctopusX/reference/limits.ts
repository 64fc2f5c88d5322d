/** The API takes a reference video of at most 15 MB, measured as 15 × 1024 × 1024 bytes of video. */
export const MAX_REFERENCE_BYTES = 15 * 1024 * 1024;

export const DATA_URI_PREFIX = 'data:video/mp4;base64,';

/**
 * An MP4 (ISO base media file) starts with a box whose type, at bytes 4 to 7, is `ftyp`.
 * The declared MIME type is not trusted: files arrive as application/octet-stream all the time.
 */
export function looksLikeMp4(head: Uint8Array): boolean {
	return (
		head.length >= 8 && head[4] === 0x66 && head[5] === 0x74 && head[6] === 0x79 && head[7] === 0x70
	);
}

/** A short, human name for what the first bytes look like, to say what was given instead of an MP4. */
export function describeFileType(head: Uint8Array): string | undefined {
	const startsWith = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
	if (head.length === 0) return 'an empty file';
	if (startsWith(0x89, 0x50, 0x4e, 0x47)) return 'a PNG image';
	if (startsWith(0xff, 0xd8, 0xff)) return 'a JPEG image';
	if (startsWith(0x47, 0x49, 0x46)) return 'a GIF image';
	if (startsWith(0x25, 0x50, 0x44, 0x46)) return 'a PDF document';
	if (startsWith(0x1a, 0x45, 0xdf, 0xa3)) return 'a WebM/Matroska video';
	if (startsWith(0x52, 0x49, 0x46, 0x46)) return 'a RIFF file (AVI or WAV)';
	return undefined;
}
