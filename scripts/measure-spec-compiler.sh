#!/usr/bin/env bash
# Measures what the spec compiler adds to a cold build: a throwaway project referencing Sandboxes and importing the spec
# compiler's MSBuild targets (as the package's build/Sandboxes.targets does) is built from a clean obj/ without any spec,
# then with one SandboxesSpec item per vendor spec of specs/ (3 runs each, median). The added time is the tool's run
# plus compiling what it wrote, with Refit's and System.Text.Json's generators; the tool's own run is timed apart.
# Usage: bash scripts/measure-spec-compiler.sh [SPEC:ClientName ...]   (specs relative to specs/; all vendor specs when none
# is named; prints a small table; takes a few minutes on 2 cores, more with all of them)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

dotnet build "$root/src/Sandboxes/Sandboxes.csproj" -c Release -v q -nologo >/dev/null

specs=(
  "e2b/openapi.yml:E2B" "e2b/openapi-volumecontent.yml:E2BVolumeContent" "e2b/envd/envd.yaml:Envd"
  "daytona/api.json:Daytona" "daytona/toolbox.json:DaytonaToolbox" "daytona/analytics.json:DaytonaAnalytics"
  "docker/v1.55.yaml:Docker" "docker/swagger.yaml:DockerNext" "jupyter/api.yaml:Jupyter"
  "blaxel/controlplane.yml:Blaxel" "blaxel/sandbox-api.yml:BlaxelSandbox" "hopx/openapi_public.json:Hopx"
  "hopx/openapi_agent.json:HopxAgent" "fly/machines-openapi.json:FlyMachines" "sprites/openapi.distilled-mirror.json:Sprites"
  "cloudflare/bridge-openapi.derived.json:CloudflareBridge" "runloop/UNOFFICIAL-api-evangelist-runloop-api-openapi.yml:Runloop"
)
if [ "$#" -gt 0 ]; then specs=("$@"); fi

write_project() { # $1 = with specs (1) or not (0)
  {
    echo '<Project Sdk="Microsoft.NET.Sdk">'
    echo '  <PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><TreatWarningsAsErrors>true</TreatWarningsAsErrors>'
    echo '    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally><Configuration>Release</Configuration>'
    echo "    <SandboxesSpecCompilerPath>$root/generators/Sandboxes.SpecCompiler/bin/Release/net10.0/Sandboxes.SpecCompiler.dll</SandboxesSpecCompilerPath></PropertyGroup>"
    echo "  <Import Project=\"$root/generators/Sandboxes.SpecCompiler/build/Sandboxes.SpecCompiler.targets\" />"
    echo '  <ItemGroup>'
    echo "    <ProjectReference Include=\"$root/src/Sandboxes/Sandboxes.csproj\" />"
    if [ "$1" = 1 ]; then
      for entry in "${specs[@]}"; do
        echo "    <SandboxesSpec Include=\"$root/specs/${entry%%:*}\" ClientName=\"${entry##*:}\" Namespace=\"Measure.${entry##*:}\" />"
      done
    fi
    echo '  </ItemGroup>'
    echo '</Project>'
  } > "$work/Measure.csproj"
  echo 'namespace Measure { internal static class Program { } }' > "$work/Program.cs"
}

measure() { # $1 = label, $2 = with specs
  write_project "$2"
  dotnet restore "$work/Measure.csproj" -v q -nologo >/dev/null
  local times=()
  for _ in 1 2 3; do
    rm -rf "$work/obj/Release" "$work/bin"
    local start end
    start=$(date +%s.%N)
    dotnet build "$work/Measure.csproj" -c Release --no-restore --no-dependencies -v q -nologo >/dev/null
    end=$(date +%s.%N)
    times+=("$(awk "BEGIN{printf \"%.2f\", $end - $start}")")
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  printf "%-28s %6.2f s   (runs: %s)\n" "$1" "$median" "${times[*]}" >&2
  echo "$median"
}

echo "cold build of a project referencing Sandboxes + the spec compiler (clean obj/, median of 3):"
without=$(measure "without specs" 0)
with=$(measure "with ${#specs[@]} vendor spec(s)" 1)
printf 'added by the specs: %.2f s\n' "$(awk "BEGIN{print $with - $without}")"
# The tool alone, on the spec list the last build wrote (median of 3): reading, parsing and writing all the specs.
tool=()
for _ in 1 2 3; do
  start=$(date +%s.%N)
  dotnet exec "$root/generators/Sandboxes.SpecCompiler/bin/Release/net10.0/Sandboxes.SpecCompiler.dll" "@$work/obj/Release/net10.0/Sandboxes/specs.txt" >/dev/null
  end=$(date +%s.%N)
  tool+=("$(awk "BEGIN{printf \"%.2f\", $end - $start}")")
done
printf 'of which the spec compiler itself: %.2f s   (runs: %s); generated: %s lines\n' "$(printf '%s\n' "${tool[@]}" | sort -n | sed -n 2p)" "${tool[*]}" \
  "$(cat "$work"/obj/Release/net10.0/Sandboxes/*.g.cs | wc -l)"
