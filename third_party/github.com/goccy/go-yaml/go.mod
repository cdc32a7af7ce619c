module github.com/goccy/go-yaml

go 1.21.0
