#!/usr/bin/env bash
# GitHub-hosted runner prerequisites that `npm run setup` checks: a JDK 17 (java for PySpark, javac
# for the Glue transform's jar, which synth ships) and the
# PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH. ubuntu-24.04 images ship both
# but keep PostgreSQL's binaries off PATH. Safe to run twice; prints what it set.
set -euo pipefail

if [ -n "${JAVA_HOME_17_X64:-}" ]; then
  echo "JAVA_HOME=$JAVA_HOME_17_X64" >> "${GITHUB_ENV:-/dev/null}"
  echo "$JAVA_HOME_17_X64/bin" >> "${GITHUB_PATH:-/dev/null}"
  echo "setup-runner: Java 17 from $JAVA_HOME_17_X64"
fi

if ! command -v initdb >/dev/null 2>&1; then
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -z "$pg_bin" ]; then
    sudo apt-get update -qq && sudo apt-get install -y -qq postgresql >/dev/null
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
  echo "$pg_bin" >> "${GITHUB_PATH:-/dev/null}"
  echo "setup-runner: PostgreSQL binaries from $pg_bin"
fi
