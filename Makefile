# The suite's front door. Every target sets up what it needs on a fresh Debian 12 machine.
#   make up          deps, build, local stack (Kafka, Redis, Prometheus), the four services (2023 event)
#   make down        stop all of it
#   make status      what is running
#   make test        deps, build (warnings are errors), unit tests, then integration tests against a
#                    Kafka and Redis the test command starts on its own ports and stops afterwards
#   make bench-http  requests/s and latency of /healthz under keep-alive load (wrk)
#   make bench-registration  sign-ups/s and latency at saturation, with Kafka and Redis beside
#   make bench-checkin  check-ins/s and latency at saturation and paced, tablets on kept-alive connections
#   make bench-voting  votes/s and latency at saturation and paced, phones on kept-alive connections
#   make bench-leaderboard  vote-to-screen latency, WebSocket sessions held, rebuild speed
SHELL := /bin/bash
.DEFAULT_GOAL := help

PRESET ?= release

.PHONY: help deps build up down status test test-unit test-integration bench-http bench-registration bench-checkin bench-voting bench-leaderboard clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

deps:
	@deploy/deps.sh

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET)

up: build
	@deploy/local/up.sh $(CURDIR)/build/$(PRESET)

down:
	@deploy/local/down.sh

status:
	@deploy/local/services.sh status || true
	@deploy/local/stack.sh status || true

test: deps
	@tests/run.sh all

test-unit: deps
	@tests/run.sh unit

test-integration: deps
	@tests/run.sh integration

bench-http: deps
	@tests/bench/http.sh

bench-registration: deps
	@tests/bench/registration.sh

bench-checkin: deps
	@tests/bench/checkin.sh

bench-voting: deps
	@tests/bench/voting.sh

bench-leaderboard: deps
	@tests/bench/leaderboard.sh

clean:
	rm -rf build
