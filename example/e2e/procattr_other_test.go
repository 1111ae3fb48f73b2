//go:build e2e && !linux

package e2e

import "syscall"

// serverSysProcAttr: without a parent-death signal the server is stopped by
// TestMain only.
func serverSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}
