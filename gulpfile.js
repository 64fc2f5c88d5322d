const { src, dest, task, parallel } = require('gulp');

// gulp 5 reads files as UTF-8 unless told otherwise: encoding false keeps icons byte-exact.
// Each copy returns its stream so gulp knows when it has finished.
// The node's codex file (OctopusX.node.json) travels with its icons: n8n reads it from beside the node.
function nodeIconsAndCodex() {
	return src('nodes/**/*.{png,svg,json}', { encoding: false }).pipe(dest('dist/nodes'));
}

function credentialIcons() {
	return src('credentials/**/*.{png,svg}', { encoding: false }).pipe(dest('dist/credentials'));
}

task('build:icons', parallel(nodeIconsAndCodex, credentialIcons));
