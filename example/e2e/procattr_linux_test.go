//go:build e2e && linux

package e2e

import "syscall"

// serverSysProcAttr makes the kernel kill the server when the test process
// dies, even when it dies without running its clean-up (a go test timeout).
func serverSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
