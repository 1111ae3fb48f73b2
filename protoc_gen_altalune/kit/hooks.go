package domainkit

import (
	"fmt"
	"reflect"
)

// CheckHooks panics when svc has a method named like a hook that its
// entity does not declare (hooks maps each hook method name to whether the
// entity's hooks option lists it): the generated service calls declared
// hooks directly, so the compiler checks them, and would never call an
// undeclared one.
func CheckHooks(svc any, hooks map[string]bool) {
	t := reflect.TypeOf(svc)
	for name, declared := range hooks {
		if _, ok := t.MethodByName(name); ok && !declared {
			panic(fmt.Sprintf("%s has a %s method, but the hooks option of its entity does not list it, so it "+
				"would never be called: add it to the (altalune.codegen.v1.entity) hooks and regenerate", t, name))
		}
	}
}
