module milter91/internal/loadgen/ceiling

go 1.26.8

toolchain go1.27.3

require github.com/d--j/go-milter v0.10.1

require (
	github.com/emersion/go-message v0.18.2 // indirect
	golang.org/x/text v0.28.0 // indirect
)
