#!/usr/bin/env bash
# Install the six W3C/CCG mocha suites at the commits pinned in suites.pins.
#
#   install-suites.sh [--mirror DIR] [--dest DIR] [SUITE…]
#     SUITE        eddsa ecdsa vcdm2 bsl vcapi-issuer vcapi-verifier (default: all six)
#     --dest DIR   where to install (default $INTEROP_SUITES_DIR, else $INTEROP_WORK/suites)
#     --mirror DIR take the repositories from local git mirrors instead of GitHub: DIR/<owner>+<name>
#                  (bare, or with the git directory in …/repo) or DIR/<owner>/<name>.git
#
# Needs git, Node 20 with npm and the npm registry; GitHub too unless --mirror is given.
# The suites name two packages as GitHub URLs (their newest commit) and the ecdsa suite clones
# its test vectors in a postinstall script; both are taken from the pinned commits here instead,
# the packages as local tarballs, so an install is the same wherever it runs.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

MIRROR='' DEST=$SUITES_DIR SUITES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --mirror) MIRROR=$(cd "$2" && pwd); shift 2 ;;
    --dest) DEST=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) SUITES+=("$1"); shift ;;
  esac
done
[ ${#SUITES[@]} -gt 0 ] || SUITES=(eddsa ecdsa vcdm2 bsl vcapi-issuer vcapi-verifier)
GITHUB=${INTEROP_GITHUB:-https://github.com}

declare -A REPO_OF COMMIT_OF
while read -r key repo commit; do
  case "$key" in ''|'#'*) continue ;; esac
  REPO_OF[$key]=$repo COMMIT_OF[$key]=$commit
done < "$INTEROP_DIR/suites.pins"
for s in "${SUITES[@]}"; do [ -n "${REPO_OF[$s]:-}" ] || die "no suite '$s' in suites.pins"; done

# gitdir KEY: a git directory holding KEY's pinned commit (a local mirror, or a bare cache of
# GitHub under $WORK/git fetched at that one commit)
gitdir() {
  local repo=${REPO_OF[$1]} commit=${COMMIT_OF[$1]} g
  if [ -n "$MIRROR" ]; then
    for g in "$MIRROR/${repo/\//+}/repo" "$MIRROR/${repo/\//+}" "$MIRROR/$repo.git"; do
      [ -d "$g" ] && git --git-dir="$g" rev-parse --git-dir >/dev/null 2>&1 && break
    done
    git --git-dir="$g" cat-file -e "$commit^{commit}" 2>/dev/null ||
      die "mirror of $repo (looked in $MIRROR) lacks the pinned commit $commit"
  else
    g=$WORK/git/${repo/\//+}.git
    [ -d "$g" ] || git init -q --bare "$g"
    if ! git --git-dir="$g" cat-file -e "$commit^{commit}" 2>/dev/null; then
      log "fetching $repo @ ${commit:0:12}"
      # GitHub serves a reachable commit by its id; fall back to every branch
      git --git-dir="$g" fetch -q --depth 1 "$GITHUB/$repo.git" "$commit" 2>/dev/null ||
        git --git-dir="$g" fetch -q "$GITHUB/$repo.git" '+refs/heads/*:refs/heads/*'
      git --git-dir="$g" cat-file -e "$commit^{commit}" || die "$repo has no commit $commit"
    fi
  fi
  echo "$g"
}

# export_tree KEY DIR [PATH…]: the pinned commit's files (or some of them) into DIR
export_tree() {
  local key=$1 dir=$2 g; shift 2
  g=$(gitdir "$key")
  mkdir -p "$dir"
  git --git-dir="$g" archive "${COMMIT_OF[$key]}" "$@" | tar -x -C "$dir"
}

# pack KEY: a tarball of the package at its pinned commit (npm installs it as a file: dependency)
pack() {
  local key=$1 out=$DEST/pkgs/$1-${COMMIT_OF[$1]:0:12} tmp
  if ! compgen -G "$out/*.tgz" >/dev/null; then
    tmp=$(mktemp -d)
    export_tree "$key" "$tmp"
    mkdir -p "$out"
    (cd "$tmp" && npm pack --ignore-scripts --loglevel=error --pack-destination "$out" >/dev/null)
    rm -rf "$tmp"
  fi
  compgen -G "$out/*.tgz"
}

mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)
IMPL_TGZ=$(pack vc-test-suite-implementations)
DI_TGZ=$(pack data-integrity-test-suite-assertion)
for s in "${SUITES[@]}"; do
  d=$DEST/$s
  log "installing $s (${REPO_OF[$s]} @ ${COMMIT_OF[$s]:0:12}) into $d"
  rm -rf "$d"
  export_tree "$s" "$d"
  (
    cd "$d"
    npm pkg set "dependencies.vc-test-suite-implementations=file:$IMPL_TGZ"
    if grep -q '"data-integrity-test-suite-assertion"' package.json; then
      npm pkg set "dependencies.data-integrity-test-suite-assertion=file:$DI_TGZ"
    fi
    rm -f package-lock.json # the ecdsa suite's lock names git+ssh URLs
    if [ "$s" = ecdsa ]; then # what its postinstall would clone: config/keys.json reads these
      export_tree vc-di-ecdsa tests/input/vc-di-ecdsa TestVectors
    fi
    # --ignore-scripts: no postinstall clones; --omit=dev: the suites need only mocha and libraries
    npm install --ignore-scripts --omit=dev --no-audit --no-fund --loglevel=error >/dev/null
  )
done

# VERSIONS.json: what is installed, for the run metadata (meta.json of each result)
keys=(eddsa ecdsa vcdm2 bsl vcapi-issuer vcapi-verifier vc-test-suite-implementations
  data-integrity-test-suite-assertion vc-di-ecdsa)
# shellcheck disable=SC2016 # ${…} below are JavaScript template literals
for k in "${keys[@]}"; do echo "$k ${REPO_OF[$k]} ${COMMIT_OF[$k]}"; done |
  SOURCE=${MIRROR:-$GITHUB} INSTALLED="${SUITES[*]}" node -e '
    const fs = require("node:fs");
    const dest = process.argv[1];
    const old = fs.existsSync(`${dest}/VERSIONS.json`) ?
      JSON.parse(fs.readFileSync(`${dest}/VERSIONS.json`, "utf8")) : {};
    const out = {};
    const installed = process.env.INSTALLED.split(" ");
    const suites = ["eddsa", "ecdsa", "vcdm2", "bsl", "vcapi-issuer", "vcapi-verifier"];
    for(const line of fs.readFileSync(0, "utf8").trim().split("\n")) {
      const [key, repo, commit] = line.split(" ");
      let mocha;
      try {
        mocha = JSON.parse(fs.readFileSync(`${dest}/${key}/node_modules/mocha/package.json`)).version;
      } catch {}
      if(suites.includes(key) && !installed.includes(key)) {
        // not (re)installed now: what an earlier install recorded, if any
        if(old[key]) out[key] = old[key];
        continue;
      }
      out[key] = {repo, commit, source: process.env.SOURCE, ...(mocha ? {mocha} : {})};
    }
    fs.writeFileSync(`${dest}/VERSIONS.json`, JSON.stringify(out, null, 2) + "\n");
  ' "$DEST"
log "suites installed in $DEST (VERSIONS.json)"
