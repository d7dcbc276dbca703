#!/usr/bin/env bash
# Packs the `juggle` .NET tool into OUT_DIR (default artifacts/tool): the pointer package Juggle.Cli, its NativeAOT
# package for linux-x64 (Juggle.Cli.linux-x64) and the portable package every other platform gets (Juggle.Cli.any).
# `dotnet tool install -g Juggle.Cli --add-source OUT_DIR` then installs the native binary on linux-x64 and the
# portable one elsewhere. The native package must be packed on linux-x64 (NativeAOT compiles for the build machine).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-artifacts/tool}")"
art="${JUGGLE_PACK_ARTIFACTS:-$out/../tool-artifacts}"
project=src/Juggle.Cli/Juggle.Cli.csproj
common=(-c Release -p:JuggleNativeTool=true -o "$out" --artifacts-path "$art" -nologo)
dotnet pack "$project" "${common[@]}"
dotnet pack "$project" "${common[@]}" -r linux-x64
# Portable IL throughout (JuggleReadyToRun=false): precompiling for the build machine is a per-platform choice.
dotnet pack "$project" "${common[@]}" -r any -p:PublishAot=false -p:JuggleReadyToRun=false
ls -1 "$out"
