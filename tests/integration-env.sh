# Sourced by tests/run.sh (and by hand, to run one integration test from a shell):
#   source tests/integration-env.sh && "$EXPO_TEST_STACK" start && ctest --test-dir build/ci -L integration -R Readiness
# The test stack uses its own ports and run folder, so it never disturbs a `make up` stack.
_expo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export EXPO_RUN_DIR=$_expo_root/build/test-stack
export KAFKA_PORT=29092 KAFKA_CONTROLLER_PORT=29093 REDIS_PORT=26379 PROMETHEUS_PORT=29090
export EXPO_WITH_PROMETHEUS=0
# No TLS front: nothing here needs it, and its ports (8443, 8080 on every interface) are a developer's.
export EXPO_WITH_NGINX=0
export EXPO_TEST_STACK=$_expo_root/deploy/local/stack.sh
export EXPO_TEST_RUN_DIR=$EXPO_RUN_DIR
export EXPO_TEST_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export EXPO_TEST_REDIS_PORT=$REDIS_PORT
export EXPO_TEST_REPO_ROOT=$_expo_root
unset _expo_root
