# Shared by bin/setup, bin/run and bin/test. Sourced, not run.
SLUICE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SLUICE_JDK_MINIMUM=22

# Prints the JAVA_HOME of a JDK 22+ on this machine: $JAVA_HOME if it qualifies, then Temurin 25,
# then any other JDK under /usr/lib/jvm.
sluice_find_jdk() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/*; do
    [[ -n "$candidate" && -x "$candidate/bin/javac" ]] || continue
    version="$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = //p')"
    if [[ "$version" =~ ^[0-9]+$ ]] && (( version >= SLUICE_JDK_MINIMUM )); then
      echo "$candidate"
      return 0
    fi
  done
  echo "sluice needs a JDK $SLUICE_JDK_MINIMUM or newer and found none (JAVA_HOME, /usr/lib/jvm)." >&2
  echo "Install the Temurin 25 JDK (package temurin-25-jdk) or point JAVA_HOME at a JDK $SLUICE_JDK_MINIMUM+." >&2
  return 1
}
