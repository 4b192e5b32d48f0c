package lds

import "fmt"

// writeRedacted prints the redaction of a personal-data type for every
// fmt verb: the type's name and nothing of its content.
func writeRedacted(f fmt.State, name string) { fmt.Fprintf(f, "lds.%s(redacted)", name) }
