// Command urna-kiosk is the voting kiosk.
package main

import (
	"fmt"
	"os"
)

var version = "dev"

func main() {
	fmt.Fprintln(os.Stderr, "urna-kiosk", version, ": the kiosk screens come with issue 5")
	os.Exit(1)
}
