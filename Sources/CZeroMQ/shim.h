#ifndef PAYGENT_CZEROMQ_SHIM_H
#define PAYGENT_CZEROMQ_SHIM_H
#include <zmq.h>
#include <sys/eventfd.h>
#endif
