// `leadrouter model train | evaluate | explain`: train the conversion model
// from a CSV of historical leads, measure it on labelled rows, and explain
// one row's score. docs/model.md describes the options and the file format.
#pragma once

#include <string>
#include <vector>

namespace leadrouter::cli {

int run_model_train(const std::vector<std::string>& args);
// model_from_crm_command.cpp: `model train --from-crm CONFIG`, which
// run_model_train hands over to when wants_from_crm(args).
bool wants_from_crm(const std::vector<std::string>& args);
int run_model_train_from_crm(const std::vector<std::string>& args);
int run_model_evaluate(const std::vector<std::string>& args);
int run_model_explain(const std::vector<std::string>& args);
// model_versions_command.cpp: the versions in a daemon's state store.
int run_model_list(const std::vector<std::string>& args);
int run_model_activate(const std::vector<std::string>& args);
// model_drift_command.cpp: recent rows against the training distribution.
int run_model_drift(const std::vector<std::string>& args);

}  // namespace leadrouter::cli
