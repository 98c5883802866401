// SOQL evaluator: each operator, LIKE wildcards, date literals against an
// injected now, ORDER BY several fields with NULLs, LIMIT/OFFSET, and the
// schema errors (unknown object or field, wrongly typed values).
#include "mock_crm/salesforce/soql_evaluator.hpp"

#include <gtest/gtest.h>

#include "mock_crm/salesforce/salesforce_id.hpp"
#include "mock_crm/salesforce/soql_parser.hpp"

namespace leadrouter::mock_crm::salesforce {
namespace {

DateTime at(const char* iso) {
  return *parse_datetime(iso);
}

class SoqlEvaluatorTest : public ::testing::Test {
 protected:
  // "Now" is fixed: 2026-03-10T12:00:00Z.
  DateTime now = at("2026-03-10T12:00:00Z");
  SObjectSchema schema;
  std::vector<SObjectRecord> leads;

  void SetUp() override {
    add("A1", "Acme", "ada@acme.com", 250, "2026-03-10T08:00:00Z", "Germany");
    add("B2", "Beta", "bob@beta.io", 10, "2026-03-09T23:59:59Z", std::nullopt);
    add("C3", "acme labs", "cy@ACME.com", std::nullopt, "2026-02-20T10:00:00Z", "France");
    add("D4", "Delta_Co", std::nullopt, 5000, "2026-03-11T00:30:00Z", "Germany");
    add("E5", "50% Off", "eve@off.example", 10, "2025-12-31T23:00:00Z", "germany");
  }

  void add(const char* name, const char* company, std::optional<std::string> email,
           std::optional<double> employees, const char* created,
           std::optional<std::string> country) {
    SObjectRecord r;
    r.type = "Lead";
    r.fields["Id"] = make_id("00Q", leads.size() + 1);
    r.fields["LastName"] = std::string(name);
    r.fields["Company"] = std::string(company);
    if (email) {
      r.fields["Email"] = *email;
    }
    if (employees) {
      r.fields["NumberOfEmployees"] = *employees;
    }
    if (country) {
      r.fields["Country"] = *country;
    }
    r.fields["CreatedDate"] = at(created);
    r.fields["IsConverted"] = leads.size() % 2 == 0;
    leads.push_back(std::move(r));
  }

  std::vector<std::string> names(std::string_view soql) {
    auto parsed = SoqlParser::parse(soql);
    EXPECT_TRUE(parsed) << soql << (parsed ? "" : parsed.error().message);
    if (!parsed) {
      return {};
    }
    auto eval = SoqlEvaluator::create(std::move(*parsed), schema, now);
    EXPECT_TRUE(eval) << soql << (eval ? "" : eval.error().message);
    if (!eval) {
      return {};
    }
    std::vector<const SObjectRecord*> candidates;
    for (const auto& r : leads) {
      candidates.push_back(&r);
    }
    std::vector<std::string> out;
    for (const auto* r : eval->run(candidates)) {
      out.push_back(std::get<std::string>(r->get("LastName")));
    }
    return out;
  }

  SfError error(std::string_view soql) {
    auto parsed = SoqlParser::parse(soql);
    if (!parsed) {
      return parsed.error();
    }
    auto eval = SoqlEvaluator::create(std::move(*parsed), schema, now);
    EXPECT_FALSE(eval) << soql;
    return eval ? SfError{} : eval.error();
  }
};

using Names = std::vector<std::string>;

TEST_F(SoqlEvaluatorTest, EqualityIsCaseInsensitiveForText) {
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Company = 'ACME'"), (Names{"A1"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Country = 'Germany'"), (Names{"A1", "D4", "E5"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Country != 'Germany'"), (Names{"B2", "C3"}));
}

TEST_F(SoqlEvaluatorTest, NullComparisons) {
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Email = null"), (Names{"D4"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Email != null"), (Names{"A1", "B2", "C3", "E5"}));
  // A null never satisfies an ordering comparison.
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE NumberOfEmployees < 100"), (Names{"B2", "E5"}));
}

TEST_F(SoqlEvaluatorTest, NumericOperators) {
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE NumberOfEmployees > 10"), (Names{"A1", "D4"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE NumberOfEmployees >= 10"),
            (Names{"A1", "B2", "D4", "E5"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE NumberOfEmployees <= 10"), (Names{"B2", "E5"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE NumberOfEmployees = 250"), (Names{"A1"}));
}

TEST_F(SoqlEvaluatorTest, InAndNotIn) {
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Country IN ('france', 'GERMANY')"),
            (Names{"A1", "C3", "D4", "E5"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Country NOT IN ('Germany')"), (Names{"B2", "C3"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Country IN ('France', null)"), (Names{"B2", "C3"}));
}

TEST_F(SoqlEvaluatorTest, BooleanAndLogic) {
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE IsConverted = true"), (Names{"A1", "C3", "E5"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE IsConverted = false AND NumberOfEmployees > 5"),
            (Names{"B2", "D4"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE (Country = 'France' OR NumberOfEmployees = 10) AND "
                  "NOT IsConverted = true"),
            (Names{"B2"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE NOT (Country = 'Germany' OR Country = null)"),
            (Names{"C3"}));
}

TEST_F(SoqlEvaluatorTest, LikeWildcards) {
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Email LIKE '%@acme.com'"), (Names{"A1", "C3"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Company LIKE 'acme%'"), (Names{"A1", "C3"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Company LIKE 'B_ta'"), (Names{"B2"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Company LIKE '_'"), (Names{}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Company LIKE '%\\_%'"), (Names{"D4"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Company LIKE '50\\%%'"), (Names{"E5"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Company LIKE '%'"),
            (Names{"A1", "B2", "C3", "D4", "E5"}));
}

TEST(SoqlLike, Matcher) {
  EXPECT_TRUE(soql_like("abc", "a%c"));
  EXPECT_TRUE(soql_like("ac", "a%c"));
  EXPECT_FALSE(soql_like("ab", "a%c"));
  EXPECT_TRUE(soql_like("aXbXc", "%b%"));
  EXPECT_TRUE(soql_like("ABC", "a_c"));
  EXPECT_FALSE(soql_like("abbc", "a_c"));
  EXPECT_TRUE(soql_like("", "%"));
  EXPECT_FALSE(soql_like("a%", "a\\_"));
}

TEST_F(SoqlEvaluatorTest, DatetimeLiteralsWithOffsets) {
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate > 2026-03-09T23:59:59Z"),
            (Names{"A1", "D4"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate >= 2026-03-09T23:59:59Z"),
            (Names{"A1", "B2", "D4"}));
  // 2026-03-10T01:00:00+01:00 is midnight UTC.
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate < 2026-03-10T01:00:00+01:00"),
            (Names{"B2", "C3", "E5"}));
}

TEST_F(SoqlEvaluatorTest, RelativeDateLiterals) {
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate = TODAY"), (Names{"A1"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate = YESTERDAY"), (Names{"B2"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate = TOMORROW"), (Names{"D4"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate > TODAY"), (Names{"D4"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate < TODAY"), (Names{"B2", "C3", "E5"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:1"), (Names{"A1", "B2"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:30"),
            (Names{"A1", "B2", "C3"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate = NEXT_N_DAYS:1"), (Names{"D4"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate = N_DAYS_AGO:18"), (Names{"C3"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate != LAST_N_DAYS:30"), (Names{"D4", "E5"}));
}

TEST_F(SoqlEvaluatorTest, DateLiteralChangesWithNow) {
  now = at("2026-03-11T09:00:00Z");
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate = TODAY"), (Names{"D4"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE CreatedDate = YESTERDAY"), (Names{"A1"}));
}

TEST_F(SoqlEvaluatorTest, IdComparisonsAcceptFifteenCharacters) {
  std::string id18 = make_id("00Q", 2);
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Id = '" + id18.substr(0, 15) + "'"), (Names{"B2"}));
  EXPECT_EQ(names("SELECT Id FROM Lead WHERE Id > '" + id18 + "' ORDER BY Id"),
            (Names{"C3", "D4", "E5"}));
  SfError e = error("SELECT Id FROM Lead WHERE Id = 'not-an-id'");
  EXPECT_EQ(e.code, "INVALID_QUERY_FILTER_OPERATOR");
}

TEST_F(SoqlEvaluatorTest, OrderByMultipleFieldsWithNulls) {
  EXPECT_EQ(names("SELECT Id FROM Lead ORDER BY Country, NumberOfEmployees DESC"),
            (Names{"B2", "C3", "D4", "A1", "E5"}));
  EXPECT_EQ(names("SELECT Id FROM Lead ORDER BY Country NULLS LAST, LastName DESC"),
            (Names{"C3", "E5", "D4", "A1", "B2"}));
  EXPECT_EQ(names("SELECT Id FROM Lead ORDER BY NumberOfEmployees DESC"),
            (Names{"D4", "A1", "B2", "E5", "C3"}));
  EXPECT_EQ(names("SELECT Id FROM Lead ORDER BY NumberOfEmployees DESC NULLS FIRST, LastName DESC"),
            (Names{"C3", "D4", "A1", "E5", "B2"}));
  EXPECT_EQ(names("SELECT Id FROM Lead ORDER BY Company"), (Names{"E5", "A1", "C3", "B2", "D4"}));
}

TEST_F(SoqlEvaluatorTest, LimitAndOffset) {
  EXPECT_EQ(names("SELECT Id FROM Lead ORDER BY LastName LIMIT 2"), (Names{"A1", "B2"}));
  EXPECT_EQ(names("SELECT Id FROM Lead ORDER BY LastName LIMIT 2 OFFSET 2"), (Names{"C3", "D4"}));
  EXPECT_EQ(names("SELECT Id FROM Lead ORDER BY LastName OFFSET 4"), (Names{"E5"}));
  EXPECT_EQ(names("SELECT Id FROM Lead ORDER BY LastName OFFSET 9"), (Names{}));
  EXPECT_EQ(names("SELECT Id FROM Lead LIMIT 0"), (Names{}));
  EXPECT_EQ(error("SELECT Id FROM Lead OFFSET 2001").code, "NUMBER_OUTSIDE_VALID_RANGE");
}

TEST_F(SoqlEvaluatorTest, SchemaErrors) {
  EXPECT_EQ(error("SELECT Id FROM Widget").code, "INVALID_TYPE");
  SfError unknown = error("SELECT Id, Bogus FROM Lead");
  EXPECT_EQ(unknown.code, "INVALID_FIELD");
  EXPECT_NE(unknown.message.find("No such column 'Bogus' on entity 'Lead'"), std::string::npos);
  EXPECT_EQ(error("SELECT Id FROM Lead WHERE Bogus = 1").code, "INVALID_FIELD");
  EXPECT_EQ(error("SELECT Id FROM Lead ORDER BY Bogus").code, "INVALID_FIELD");
  EXPECT_EQ(error("SELECT Id, id FROM Lead").code, "MALFORMED_QUERY");
  EXPECT_EQ(error("SELECT Id FROM Lead WHERE NumberOfEmployees = '10'").code,
            "INVALID_QUERY_FILTER_OPERATOR");
  EXPECT_EQ(error("SELECT Id FROM Lead WHERE Company = 10").code, "INVALID_QUERY_FILTER_OPERATOR");
  EXPECT_EQ(error("SELECT Id FROM Lead WHERE IsConverted = 'true'").code,
            "INVALID_QUERY_FILTER_OPERATOR");
  EXPECT_EQ(error("SELECT Id FROM Lead WHERE IsConverted > false").code,
            "INVALID_QUERY_FILTER_OPERATOR");
  EXPECT_EQ(error("SELECT Id FROM Lead WHERE CreatedDate > 2026-01-01").code,
            "INVALID_QUERY_FILTER_OPERATOR");
  EXPECT_EQ(error("SELECT Id FROM Lead WHERE NumberOfEmployees LIKE '1%'").code,
            "INVALID_QUERY_FILTER_OPERATOR");
}

TEST_F(SoqlEvaluatorTest, FieldNamesAreCaseInsensitiveAndResolveToCanonical) {
  auto parsed = SoqlParser::parse("select id, EMAIL from lead");
  ASSERT_TRUE(parsed);
  auto eval = SoqlEvaluator::create(std::move(*parsed), schema, now);
  ASSERT_TRUE(eval);
  EXPECT_EQ(eval->object().name, "Lead");
  ASSERT_EQ(eval->fields().size(), 2U);
  EXPECT_EQ(eval->fields()[0]->name, "Id");
  EXPECT_EQ(eval->fields()[1]->name, "Email");
}

}  // namespace
}  // namespace leadrouter::mock_crm::salesforce
