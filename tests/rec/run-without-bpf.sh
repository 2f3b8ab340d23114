#!/bin/sh
# run-without-bpf.sh CMD [ARG...]: run CMD where the BPF programs cannot
# load, with SWT_TEST_BPF_UNAVAILABLE=1, so that it tests the fallback for
# real, on a machine where BPF loads as on one where it does not:
#  - as root: without any capability (setpriv --inh-caps=-all
#    --bounding-set=-all), as root in a container without CAP_BPF or
#    CAP_SYS_ADMIN; the kernel refuses the load (EPERM). (Not the
#    environment hook SWT_SAMPLER_BPF_FAIL, nor an unprivileged user:
#    test-sampler-backends.sh covers both, through swrec.)
#  - not root: as is (an unprivileged user cannot load them either);
#  - root where setpriv cannot drop them: the hook, SWT_SAMPLER_BPF_FAIL=1,
#    and a TAP comment says so.
SWT_TEST_BPF_UNAVAILABLE=1
export SWT_TEST_BPF_UNAVAILABLE
if [ "$(id -u)" -ne 0 ]; then
	exec "$@"
fi
if command -v setpriv >/dev/null 2>&1 &&
	setpriv --inh-caps=-all --bounding-set=-all true 2>/dev/null; then
	exec setpriv --inh-caps=-all --bounding-set=-all "$@"
fi
echo "# setpriv cannot drop the capabilities here: SWT_SAMPLER_BPF_FAIL=1"
SWT_SAMPLER_BPF_FAIL=1
export SWT_SAMPLER_BPF_FAIL
exec "$@"
