#!/usr/bin/env bash
# Writes every public API change of the packed libraries into their PublicAPI.Unshipped.txt (additions) and removes
# what no longer exists, through the analyzers' own code fixes (RS0016, RS0017). Review the diff, then commit it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for project in src/Sandboxes/Sandboxes.csproj src/Sandboxes.Extensions.DependencyInjection/Sandboxes.Extensions.DependencyInjection.csproj; do
  dotnet restore "$project" -nologo -v quiet
  dotnet format analyzers "$project" --no-restore --diagnostics RS0016 RS0017 --severity info
done
