package walstorageextension

import (
	"reflect"
	"testing"
)

// TestIndexOfShortKeysHoldsNoPointers: the map of short keys (every key
// the queue and the journal write) is one the garbage collector need not
// scan: neither its key nor its value type holds a pointer.
func TestIndexOfShortKeysHoldsNoPointers(t *testing.T) {
	var hasPointers func(reflect.Type) bool
	hasPointers = func(typ reflect.Type) bool {
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.String, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
			return true
		case reflect.Array:
			return hasPointers(typ.Elem())
		case reflect.Struct:
			for i := range typ.NumField() {
				if hasPointers(typ.Field(i).Type) {
					return true
				}
			}
		}
		return false
	}
	m := reflect.TypeOf(newIndex().short)
	if hasPointers(m.Key()) || hasPointers(m.Elem()) {
		t.Errorf("%v holds pointers", m)
	}
	if !hasPointers(reflect.TypeOf("")) {
		t.Fatal("the check finds no pointer in a string")
	}
}
