#include "core/job.hpp"
