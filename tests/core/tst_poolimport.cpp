#include <QtTest>

class Test_poolimport : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_poolimport)
#include "tst_poolimport.moc"
