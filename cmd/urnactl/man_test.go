package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManualPage: the manual page describes every command.
func TestManualPage(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("..", "..", "packaging", "man", "urnactl.1"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range commands {
		if !strings.Contains(string(page), ".B "+name) {
			t.Errorf("urnactl.1 does not describe %q", name)
		}
	}
}
