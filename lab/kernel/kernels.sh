# The kernels the lab boots, by the name users give them, and where each comes from. Sourced.
# A name maps to a Debian suite whose linux-image-amd64 metapackage picks the newest build, so the
# matrix follows the kernels Debian users actually receive.
declare -A SLUICE_KERNEL_SUITES=(
  [6.1]=bookworm
  [6.12]=bookworm-backports
  [7]=trixie-backports
)
SLUICE_KERNEL_NAMES=(6.1 6.12 7)
SLUICE_KERNEL_CACHE="${SLUICE_KERNEL_CACHE:-/var/cache/sluice/kernels}"
