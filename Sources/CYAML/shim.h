// libyaml: the event parser used to read .yaml/.yml configs.
#include <yaml.h>
